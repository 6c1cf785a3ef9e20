"""StartSyncExecution: an EXPRESS execution run to its end in the calling thread.

Nothing is stored and no event is kept (AWS keeps no history for Express
either): the engine runs in slices and holds only what is outstanding, so its
memory stays flat however long it runs. Tasks are performed inline through
designer.resources (mock test case first), timers sleep. Express workflows
cannot wait for an answer from outside (callbacks, activities, .sync
children): such a task fails. AWS ends an Express execution after 5 minutes
(limits.express_max_seconds()): TIMED_OUT, checked while it works too.

Blocking: call it from a worker thread (an async view: sync_to_async with
thread_sensitive=False), never from the event loop or the one thread ASGI
shares between sync views.
"""
from __future__ import annotations

import json
import math
import time
import uuid

import engine
from designer import arns
from designer.models import StateMachine
from designer.resources import TaskRequest, mocks, perform
from engine.runner import STALLED, drive
from engine.serialize import to_json

from . import errors, limits
from .engines import parse_definition
from .executions import resolve_version, validate_input, validate_name


def start_sync_execution(machine: StateMachine, *, owner=None, name=None, input_text="{}", version=None, alias=None,
                         mock_test_case="", trace_header="", clock=time.time, sleep=time.sleep) -> dict:
    """StartSyncExecution's response, timestamps in epoch seconds: executionArn, stateMachineArn,
    name, startDate, stopDate, status (SUCCEEDED, FAILED, TIMED_OUT), input, inputDetails, output,
    outputDetails, error, cause, traceHeader, billingDetails."""
    input_text = validate_input(input_text)
    name = validate_name(name)
    version = resolve_version(machine, version, alias)
    source = version if version is not None else machine
    mock = None
    if mock_test_case:
        try:
            mock = mocks.case_for(mock_test_case, machine.name)
        except mocks.MockConfigError as e:
            raise errors.InvalidMockTestCase(str(e)) from None
    arn = arns.arn("express", machine.region, machine.name, name, str(uuid.uuid4()), account=machine.account_id)
    started = clock()
    ex = engine.Execution(parse_definition(source.definition), json.loads(input_text), name=name, execution_arn=arn,
                          state_machine_arn=machine.arn, state_machine_name=machine.name, role_arn=source.role_arn,
                          start_time=started, clock=clock, record_events=False, budget=limits.SLICE,
                          max_duration=limits.express_max_seconds())
    status, error, cause = _run(ex, mock, machine.owner_id, clock, sleep)
    stopped = clock()
    response = {
        "executionArn": arn, "stateMachineArn": machine.arn, "name": name, "startDate": started,
        "stopDate": stopped, "status": status, "input": input_text, "inputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": 64,
                           "billedDurationInMilliseconds": max(100, math.ceil((stopped - started) * 10) * 100)},
    }
    if trace_header:
        response["traceHeader"] = trace_header
    if status == "SUCCEEDED":
        response["output"] = to_json(ex.output)
        response["outputDetails"] = {"included": True}
    else:
        if error is not None:
            response["error"] = error
        if cause is not None:
            response["cause"] = cause
    return response


def _run(ex, mock, owner_id, clock, sleep):
    ending = drive(ex, ex.start(), lambda effect: _answer(ex, effect, mock, owner_id), clock=clock, sleep=sleep)
    if ending == STALLED:
        ex.stop()
        return "FAILED", "States.Runtime", "The execution waits for an answer nothing can give to an Express execution."
    if ex.status == "ABORTED":
        return "FAILED", ex.error, ex.cause
    return ex.status, ex.error, ex.cause


def _answer(ex, effect, mock, owner_id):
    if mock is not None and mock.mocks(effect.state):
        outcome = mocks.answer(mock, effect.state)
        if outcome[0] == "ok":
            return ex.complete(effect.id, outcome[1])
        return ex.fail(effect.id, outcome[1], outcome[2])
    if arns.parse(effect.resource) is not None and arns.parse(effect.resource)["kind"] == "activity":
        return ex.fail(effect.id, "States.Runtime", "Express workflows do not support activities.")
    outcome = perform(TaskRequest.from_effect(effect, owner_id=owner_id))
    if outcome.kind == "succeeded":
        return ex.complete(effect.id, outcome.result)
    return ex.fail(effect.id, outcome.error, outcome.cause)
