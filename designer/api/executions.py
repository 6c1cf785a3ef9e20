"""Executions: start (async and sync), stop, redrive, describe, list, history.

Starting and stopping belong to the runtime (designer.runtime); this module
reads the request, checks access and shapes the answer.
"""
from __future__ import annotations

from django.utils import timezone

from designer import arns, runtime
from designer.access import executions_for
from designer.models import Execution, HistoryEvent, StateMachine

from . import pagination
from .errors import ApiError
from .lookups import get_execution, resolve
from .registry import operation
from .shapes import compact, timestamp

_DATA_MEMBERS = ("input", "inputDetails", "output", "outputDetails")


# --- what the API says about an execution --------------------------------

def redrive_status(execution: Execution) -> tuple[str, str | None]:
    reason = runtime.why_not_redrivable(execution)
    if reason is not None:
        return "NOT_REDRIVABLE", f"Execution cannot be redriven: {reason}"
    return "REDRIVABLE", None


def describe(execution: Execution) -> dict:
    succeeded = execution.status == Execution.SUCCEEDED
    members = {
        "executionArn": execution.arn,
        "stateMachineArn": execution.machine.arn,
        "name": execution.name,
        "status": execution.status,
        "startDate": timestamp(execution.started_at),
        "stopDate": timestamp(execution.stopped_at),
        "input": execution.input,
        "inputDetails": {"included": True},
        "output": execution.output if succeeded else None,
        "outputDetails": {"included": True} if succeeded else None,
        "traceHeader": execution.trace_header or None,
        "error": execution.error,
        "cause": execution.cause,
        "stateMachineVersionArn": execution.version.arn if execution.version_id else None,
        "stateMachineAliasArn": execution.alias.arn if execution.alias_id else None,
    }
    if execution.type == StateMachine.STANDARD:
        status, reason = redrive_status(execution)
        members.update(redriveCount=execution.redrive_count, redriveDate=timestamp(execution.redriven_at),
                       redriveStatus=status, redriveStatusReason=reason)
    return compact(members)


def list_item(execution: Execution, machine_arn: str) -> dict:
    summary = execution.summary()
    return compact({
        **{member: summary[member] for member in ("executionArn", "name", "status", "startDate", "stopDate")},
        "stateMachineArn": machine_arn,
        "stateMachineVersionArn": f"{machine_arn}:{execution.version.number}" if execution.version_id else None,
        "stateMachineAliasArn": f"{machine_arn}:{execution.alias.name}" if execution.alias_id else None,
        "redriveCount": execution.redrive_count if execution.type == StateMachine.STANDARD else None,
        "redriveDate": timestamp(execution.redriven_at),
    })


def without_data(event: dict) -> dict:
    """An event with its input and output left out (includeExecutionData=false)."""
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            event[key] = {k: v for k, v in details.items() if k not in _DATA_MEMBERS}
    return event


# --- reading the request -------------------------------------------------

def _target(call):
    """(machine, version, alias, mock test case) of StartExecution's stateMachineArn,
    which may end with '#TestCase' as for Step Functions Local."""
    p = call.params
    raw = p.string("stateMachineArn", required=True, min_length=1, max_length=512, malformed="InvalidArn")
    arn, _, test_case = raw.partition("#")
    parsed = arns.parse(arn)
    if parsed is None or parsed["kind"] != "stateMachine":
        raise ApiError("InvalidArn", f"Invalid Arn: '{raw}' (expected a state machine, version or alias ARN)")
    machine, version, alias = resolve(call.user, arn, parsed)
    return machine, version, alias, test_case


def _start_members(call):
    p = call.params
    name = p.name(required=False)
    # the runtime checks the input, as for every start (runtime.validate_input)
    payload = p.string("input", malformed="InvalidExecutionInput") or "{}"
    trace_header = p.string("traceHeader", max_length=256) or ""
    if not trace_header.isascii():
        raise ApiError("ValidationException", "traceHeader must be ASCII")
    return name, payload, trace_header


# --- operations -----------------------------------------------------------

@operation("StartExecution")
def start_execution(call):
    machine, version, alias, test_case = _target(call)
    name, payload, trace_header = _start_members(call)
    # the runtime routes an alias to one of its versions, and makes STANDARD
    # executions idempotent by name
    execution = runtime.start_execution(
        machine, owner=call.user, name=name, input_text=payload, version=version, alias=alias,
        mock_test_case=test_case, trace_header=trace_header)
    return {"executionArn": execution.arn, "startDate": timestamp(execution.started_at)}


@operation("StartSyncExecution", slow=True)
def start_sync_execution(call):
    machine, version, alias, test_case = _target(call)
    name, payload, trace_header = _start_members(call)
    call.params.string("includedData", choices=["ALL_DATA", "METADATA_ONLY"])
    if machine.type != StateMachine.EXPRESS:
        raise ApiError("StateMachineTypeNotSupported",
                       "This operation is not supported by this type of state machine: StartSyncExecution runs "
                       "EXPRESS state machines")
    # blocking, in this worker thread: the runtime runs the whole execution
    return compact(runtime.start_sync_execution(
        machine, owner=call.user, name=name, input_text=payload, version=version, alias=alias,
        mock_test_case=test_case, trace_header=trace_header))


@operation("StopExecution", slow=True)
def stop_execution(call):
    p = call.params
    arn, _ = p.arn("executionArn", kinds=("execution", "express"))
    error = p.string("error", max_length=256)
    cause = p.string("cause", max_length=32768)
    execution = get_execution(call.user, arn)
    stopped = runtime.stop_execution(execution, error=error, cause=cause)
    return {"stopDate": timestamp(stopped.stopped_at or timezone.now())}


def stop_running(executions, error, cause):
    """Stop every running execution among `executions` (a state machine is being deleted),
    without waiting for each to be seen stopped."""
    running = list(executions.filter(status=Execution.RUNNING))
    if running:
        stop = runtime.stop_execution
        for execution in running:
            stop(execution, error=error, cause=cause, timeout=0)


@operation("RedriveExecution", slow=True)
def redrive_execution(call):
    p = call.params
    arn, _ = p.arn("executionArn", kinds=("execution",))
    p.string("clientToken", min_length=1, max_length=64)
    # the runtime decides what is redrivable (ExecutionNotRedrivable otherwise)
    redriven = runtime.redrive_execution(get_execution(call.user, arn))
    return {"redriveDate": timestamp(redriven.redriven_at or timezone.now())}


@operation("DescribeExecution")
def describe_execution(call):
    p = call.params
    arn, _ = p.arn("executionArn", kinds=("execution", "express"))
    p.string("includedData", choices=["ALL_DATA", "METADATA_ONLY"])
    return describe(get_execution(call.user, arn))


@operation("DescribeStateMachineForExecution")
def describe_state_machine_for_execution(call):
    p = call.params
    arn, _ = p.arn("executionArn", kinds=("execution", "express"))
    p.string("includedData", choices=["ALL_DATA", "METADATA_ONLY"])
    execution = get_execution(call.user, arn)
    machine, version = execution.machine, execution.version
    source = version or machine
    return compact({
        "stateMachineArn": version.arn if version else machine.arn,
        "name": machine.name,
        "definition": execution.definition,
        "roleArn": source.role_arn,
        "updateDate": timestamp(version.created_at if version else machine.updated_at),
        "loggingConfiguration": machine.logging_configuration or {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": machine.tracing_configuration or {"enabled": False},
        "revisionId": str(source.revision_id),
    })


@operation("ListExecutions")
def list_executions(call):
    p = call.params
    status = p.string("statusFilter", choices=[s for s, _ in Execution.STATUSES])
    redrive = p.string("redriveFilter", choices=["REDRIVEN", "NOT_REDRIVEN"])
    if "mapRunArn" in p:
        raise ApiError("ValidationException", "Statelight has no Distributed Map runs: list by stateMachineArn")
    found = p.arn("stateMachineArn", required=False)
    if found is None:
        raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
    arn, parsed = found
    machine, version, alias = resolve(call.user, arn, parsed)
    if machine.type == StateMachine.EXPRESS:
        raise ApiError("StateMachineTypeNotSupported",
                       "This operation is not supported by this type of state machine: EXPRESS executions are not "
                       "listed")
    qs = executions_for(call.user).filter(machine=machine).select_related("version", "alias")
    if version is not None:
        qs = qs.filter(version=version)
    if alias is not None:
        qs = qs.filter(alias=alias)
    if status is not None:
        qs = qs.filter(status=status)
    if redrive == "REDRIVEN":
        qs = qs.filter(redrive_count__gt=0)
    elif redrive == "NOT_REDRIVEN":
        qs = qs.filter(redrive_count=0)
    rows, token = pagination.page(qs, p, call.operation, ["-started_at", "-id"], query=[arn, status, redrive])
    return compact({"executions": [list_item(e, machine.arn) for e in rows], "nextToken": token})


@operation("GetExecutionHistory")
def get_execution_history(call):
    p = call.params
    arn, _ = p.arn("executionArn", kinds=("execution", "express"))
    reverse = p.boolean("reverseOrder", default=False)
    include_data = p.boolean("includeExecutionData", default=True)
    execution = get_execution(call.user, arn)
    order = ["-event_id"] if reverse else ["event_id"]
    rows, token = pagination.page(HistoryEvent.objects.filter(execution=execution), p, call.operation, order,
                                  query=[arn, reverse])
    events = [event.to_dict() for event in rows]
    if not include_data:
        events = [without_data(event) for event in events]
    return compact({"events": events, "nextToken": token})

