"""`arn:aws:states:::states:startExecution`: nested state machines.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html

Parameters: StateMachineArn (a machine, version or alias ARN), Input (JSON,
or a string holding JSON), Name.
- plain: start the child, answer {ExecutionArn, StartDate};
- `.sync`: wait for the child, answer as DescribeExecution (Input and Output
  as JSON text); `.sync:2`: the same with Input and Output as JSON;
- a child that does not succeed fails the task with States.TaskFailed, the
  cause being that description (Status, Error, Cause), as AWS does.

Durability: the child row and the parent task's "waiting" mark are written
in one transaction; the child, when it ends, answers the parent in the
transaction of its last step (designer/runtime/children.py). A task that runs
again after a crash finds its child (parent + effect id) instead of starting
a second one. Times are epoch milliseconds, as in AWS's task output.
"""
from __future__ import annotations

import json
import uuid

from django.db import transaction

from designer import access, arns
from designer.models import Effect, Execution, StateMachine, StateMachineAlias, StateMachineVersion
from designer.runtime import errors
from designer.runtime.children import describe_child, epoch_ms
from designer.runtime.executions import start_execution
from designer.runtime.express import start_sync_execution
from engine.serialize import to_json

from .tasks import WAIT, failed, succeeded

START_EXECUTION = "arn:aws:states:::states:startExecution"
_NAMES = uuid.UUID("5b0d4f4e-3c1a-4b7e-9a57-6a1f0c2c9e11")


def perform(request):
    params = request.input if isinstance(request.input, dict) else {}
    target = _target(params.get("StateMachineArn"), request.owner_id)
    if isinstance(target, str):
        return failed("StepFunctions.StateMachineDoesNotExistException", target)
    machine, version, alias = target
    child_input = params.get("Input", {})
    input_text = child_input if isinstance(child_input, str) else to_json(child_input)
    name = params.get("Name") or str(uuid.uuid5(_NAMES, request.key or uuid.uuid4().hex))
    waits = request.pattern in ("sync", "sync:2")

    if machine.type == StateMachine.EXPRESS and (waits or not request.durable):
        return _run_express(machine, version, alias, name, input_text, request)
    if not request.durable:
        return failed("States.Runtime", "An Express execution cannot start a Standard child execution.")

    existing = Execution.objects.filter(parent_id=request.execution_id, parent_effect_id=request.effect_id).first()
    if existing is not None and waits and existing.status != Execution.RUNNING:
        return _ended(existing, request.pattern)  # it ended before this attempt began: answer now
    try:
        with transaction.atomic():
            child = existing or start_execution(
                machine, owner=machine.owner, name=name, input_text=input_text, version=version, alias=alias,
                parent=Execution(pk=request.execution_id), parent_effect_id=request.effect_id,
                parent_wait=request.pattern if waits else "")
            if waits:
                Effect.objects.filter(pk=request.effect_pk, claimed_by=request.worker_id).update(
                    state=Effect.WAITING, claimed_until=None)
    except errors.ExecutionAlreadyExists as e:
        return failed("StepFunctions.ExecutionAlreadyExistsException", e.message)
    except (errors.InvalidExecutionInput, errors.InvalidName) as e:
        return failed(f"StepFunctions.{type(e).__name__}Exception", e.message)
    if waits:
        return WAIT
    return succeeded({"ExecutionArn": child.arn, "StartDate": epoch_ms(child.started_at.timestamp())})


def _target(arn, owner_id):
    """(machine, version, alias) for a machine/version/alias ARN, or the reason there is none."""
    parsed = arns.parse(arn)
    if parsed is None or parsed["kind"] != "stateMachine" or len(parsed["parts"]) > 2:
        return f"State Machine Does Not Exist: '{arn}'"
    name = parsed["parts"][0]
    base = f"arn:aws:states:{parsed['region']}:{parsed['account']}:stateMachine:{name}"
    machine = StateMachine.objects.filter(arn=base).first()
    if machine is None or not access.task_may_use(owner_id, machine.owner_id):
        return f"State Machine Does Not Exist: '{arn}'"
    version = alias = None
    if len(parsed["parts"]) == 2:
        qualifier = parsed["parts"][1]
        if qualifier.isdigit():
            version = StateMachineVersion.objects.filter(machine=machine, number=int(qualifier)).first()
        else:
            alias = StateMachineAlias.objects.filter(machine=machine, name=qualifier).first()
        if version is None and alias is None:
            return f"State Machine Does Not Exist: '{arn}'"
    return machine, version, alias


def _run_express(machine, version, alias, name, input_text, request):
    try:
        result = start_sync_execution(machine, owner=machine.owner, name=name, input_text=input_text,
                                      version=version, alias=alias)
    except errors.RefusedRequest as e:
        return failed(f"StepFunctions.{type(e).__name__}Exception", e.message)
    if request.pattern not in ("sync", "sync:2"):
        return succeeded({"ExecutionArn": result["executionArn"], "StartDate": epoch_ms(result["startDate"])})
    output = json.loads(result["output"]) if "output" in result else None
    description = describe_child(
        arn=result["executionArn"], name=name, machine_arn=machine.arn, status=result["status"],
        input=json.loads(input_text), output=output, error=result.get("error"), cause=result.get("cause"),
        started_at=result["startDate"], stopped_at=result["stopDate"], json_objects=request.pattern == "sync:2")
    return _answer(description)


def _ended(child: Execution, pattern: str):
    output = json.loads(child.output) if child.output is not None else None
    description = describe_child(
        arn=child.arn, name=child.name, machine_arn=child.machine.arn, status=child.status,
        input=json.loads(child.input), output=output, error=child.error, cause=child.cause,
        started_at=child.started_at, stopped_at=child.stopped_at or child.started_at,
        json_objects=pattern == "sync:2", redrive_count=child.redrive_count)
    return _answer(description)


def _answer(description):
    if description["Status"] == Execution.SUCCEEDED:
        return succeeded(description)
    return failed("States.TaskFailed", json.dumps(description, ensure_ascii=False))
