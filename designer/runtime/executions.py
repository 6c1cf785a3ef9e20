"""Starting, stopping, redriving and waiting for executions (the API's side of the runtime).

Each request is one small transaction that writes an InboxItem; a worker
applies it. stop and redrive then try to advance the execution right away,
so the caller sees the new status when the call returns, as on AWS.
"""
from __future__ import annotations

import logging
import random
import time
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from designer import arns, prepared
from designer.models import Execution, ExecutionState, InboxItem, StateMachine, StateMachineVersion
from designer.resources import mocks
from engine.serialize import InvalidPayload, read_payload

from . import columns, errors, limits, signals, store
from .identity import process_worker_id

log = logging.getLogger(__name__)

# AWS keeps a closed execution redrivable for 14 days.
REDRIVE_DAYS = 14
MAX_REDRIVES = 1000


def validate_input(input_text) -> str:
    """The input text, if AWS would take it (engine.serialize.read_payload: JSON, at most 256 KiB
    of UTF-8, no NaN, Infinity or 1e999, no lone surrogates, at most MAX_DEPTH levels deep); else
    InvalidExecutionInput saying why. Every start checks it: StartExecution, StartSyncExecution,
    the pages, nested executions."""
    if input_text is None:
        return "{}"
    try:
        read_payload(input_text, what="The execution input")
    except InvalidPayload as e:
        raise errors.InvalidExecutionInput(f"Invalid State Machine Execution Input: {e}") from None
    return input_text


def validate_name(name) -> str:
    if name is None:
        return str(uuid.uuid4())
    if not arns.is_valid_name(name):
        raise errors.InvalidName(f"Invalid Name: '{name}'")
    return name


def resolve_version(machine: StateMachine, version=None, alias=None):
    """The version an execution runs: the one given, or one picked by the alias's routing weights."""
    if version is not None or alias is None:
        return version
    routes = [r for r in (alias.routing or []) if r.get("weight", 0) > 0] or list(alias.routing or [])
    if not routes:
        return None
    route = random.choices(routes, weights=[max(r.get("weight", 0), 0) or 1 for r in routes])[0]
    number = str(route.get("stateMachineVersionArn", "")).rsplit(":", 1)[-1]
    return StateMachineVersion.objects.filter(machine=machine, number=int(number) if number.isdigit() else -1).first()


def start_execution(machine: StateMachine, *, owner=None, name=None, input_text="{}", version=None, alias=None,
                    mock_test_case="", parent=None, trace_header="", parent_effect_id=None,
                    parent_wait="") -> Execution:
    """StartExecution. STANDARD executions are idempotent by name: the same name and input while it
    runs returns the running execution; anything else with a used name is ExecutionAlreadyExists.
    An EXPRESS machine started this way runs asynchronously, durably, with an `express:` ARN."""
    input_text = validate_input(input_text)
    name = validate_name(name)
    version = resolve_version(machine, version, alias)
    source = version if version is not None else machine
    if mock_test_case:
        try:
            mocks.case_for(mock_test_case, machine.name)
        except mocks.MockConfigError as e:
            raise errors.InvalidMockTestCase(str(e)) from None
    standard = machine.type == StateMachine.STANDARD
    if standard:
        arn = arns.arn("execution", machine.region, machine.name, name, account=machine.account_id)
    else:
        arn = arns.arn("express", machine.region, machine.name, name, str(uuid.uuid4()), account=machine.account_id)
    start = {"state_machine_arn": machine.arn, "state_machine_name": machine.name, "role_arn": source.role_arn}
    execution = Execution(
        arn=arn, name=name, machine=machine, version=version, alias=alias, definition=source.definition,
        type=machine.type, status=Execution.RUNNING, input=input_text, mock_test_case=mock_test_case or "",
        trace_header=trace_header or "", parent=parent, parent_effect_id=parent_effect_id,
        parent_wait=parent_wait, started_at=timezone.now())
    try:
        # prepared INSERTs, and no look for the name first: the unique ARN refuses a second one
        with columns.writing():
            prepared.insert(execution)
            prepared.insert(ExecutionState(execution=execution))
            prepared.insert(InboxItem(execution=execution, kind=InboxItem.START, result=start))
            transaction.on_commit(signals.work_available)
    except IntegrityError:
        # the name is taken (STANDARD names are unique): the same start again, or a refusal
        existing = Execution.objects.filter(arn=arn).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, input_text)
    return execution


def _same_or_refuse(existing: Execution, input_text: str) -> Execution:
    if existing.status == Execution.RUNNING and existing.input == input_text:
        return existing
    raise errors.ExecutionAlreadyExists(f"Execution Already Exists: '{existing.arn}'")


def stop_execution(execution: Execution, error=None, cause=None, *, timeout: float = 10.0) -> Execution:
    """StopExecution: the execution ends ABORTED (with the error and cause given). Returns it refreshed;
    an execution that is not running is returned as it is."""
    if error is not None and len(error) > 256:
        raise errors.InvalidRequest("error must be at most 256 characters")
    if cause is not None and len(cause) > 32768:
        raise errors.InvalidRequest("cause must be at most 32768 characters")
    execution.refresh_from_db()
    if execution.status != Execution.RUNNING:
        return execution
    with transaction.atomic():
        InboxItem.objects.create(execution=execution, kind=InboxItem.STOP, error=error, cause=cause)
    return _apply_now(execution, timeout)


def why_not_redrivable(execution: Execution) -> str | None:
    """Why AWS would refuse to redrive this execution, or None when it may be redriven.
    https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html"""
    if execution.type != StateMachine.STANDARD:
        return "it is an Express execution"
    if execution.status not in (Execution.FAILED, Execution.TIMED_OUT, Execution.ABORTED):
        return f"it is {execution.status}: only FAILED, TIMED_OUT and ABORTED executions can be redriven"
    if execution.stopped_at and (timezone.now() - execution.stopped_at).days >= REDRIVE_DAYS:
        return f"it stopped more than {REDRIVE_DAYS} days ago"
    if execution.redrive_count >= MAX_REDRIVES:
        return f"it was redriven {MAX_REDRIVES} times already"
    if execution.last_event_id >= limits.HISTORY_LIMIT - 1:
        return "it has reached the history event limit"
    return None


def redrive_execution(execution: Execution, *, timeout: float = 10.0) -> Execution:
    """RedriveExecution: a FAILED, TIMED_OUT or ABORTED STANDARD execution continues from the states
    that did not succeed (engine.Execution.redrive). Returns it refreshed (RUNNING again)."""
    execution.refresh_from_db()
    reason = why_not_redrivable(execution)
    if reason is not None:
        raise errors.ExecutionNotRedrivable(f"Execution {execution.arn} cannot be redriven: {reason}.")
    revision = _revision(execution.pk)
    with transaction.atomic():
        claimed = Execution.objects.filter(pk=execution.pk, status=execution.status,
                                           redrive_count=execution.redrive_count).update(
            redrive_count=F("redrive_count") + 1, redriven_at=timezone.now())
        if not claimed:
            raise errors.ExecutionNotRedrivable(f"Execution {execution.arn} is being redriven already.")
        InboxItem.objects.create(execution=execution, kind=InboxItem.REDRIVE)
    return _apply_now(execution, timeout, until=lambda row: _revision(row.pk) > revision)


def _revision(execution_id) -> int:
    return ExecutionState.objects.filter(pk=execution_id).values_list("revision", flat=True).first() or 0


def _apply_now(execution: Execution, timeout: float, until=None) -> Execution:
    """Advance the execution in this thread (when no worker holds it) so the answer reflects it."""
    worker_id = f"{process_worker_id()}:api"
    try:
        store.advance(execution.pk, worker_id)
    except store.LeaseLost:
        pass
    except Exception:  # the runtime will apply it; the caller still gets an answer
        log.warning("could not advance execution %s at once", execution.arn, exc_info=True)
    signals.work_available()
    done = until or (lambda row: row.status != Execution.RUNNING)
    deadline = time.monotonic() + timeout
    while True:
        execution.refresh_from_db()
        if done(execution) or time.monotonic() >= deadline:
            return execution
        signals.wait_for_change(0.05)


def wait_for_execution(execution, timeout: float = 30.0) -> Execution:
    """Block until the execution (a row or its pk) is no longer RUNNING; returns it refreshed.
    Raises ExecutionTimeout. For tests and scripts: it re-reads the database."""
    pk = execution.pk if isinstance(execution, Execution) else int(execution)
    deadline = time.monotonic() + timeout
    while True:
        row = Execution.objects.get(pk=pk)
        if row.status != Execution.RUNNING:
            return row
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise errors.ExecutionTimeout(f"execution {row.arn} still runs after {timeout:g} s")
        signals.wait_for_change(min(0.05, remaining))


__all__ = ["redrive_execution", "start_execution", "stop_execution", "validate_input", "wait_for_execution"]
