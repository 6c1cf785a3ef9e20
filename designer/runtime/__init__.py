"""The durable runtime: executions that survive restarts, advanced by workers.

The interface the API (designer/api), the pages and the task resources call:

    start_execution(machine, *, owner, name=None, input_text="{}", version=None, alias=None,
                    mock_test_case="", parent=None, trace_header="") -> Execution
    validate_input(input_text) -> input_text      # what every start checks (InvalidExecutionInput)
    start_sync_execution(machine, *, owner, name=None, input_text, ...) -> dict   # EXPRESS, blocking
    stop_execution(execution, error=None, cause=None) -> Execution
    redrive_execution(execution) -> Execution; why_not_redrivable(execution) -> str | None
    send_task_success(token, output_text) / send_task_failure(token, error, cause) / send_task_heartbeat(token)
    await get_activity_task(activity, worker_name, timeout=60) -> (token, input_text) | None
    wait_for_execution(execution, timeout) -> Execution                           # tests and scripts

Errors are designer.runtime.errors classes, each with the AWS error name it
maps to (`aws_name`). How it works:

    executions.py  start, stop, redrive: one small transaction writing an InboxItem
    step.py        one step of one execution: the engine advanced from its inbox (reads only)
    store.py       that step stored in ONE transaction, under the execution's lease
    worker.py      who advances what, and performs the tasks (designer/resources)
    express.py     StartSyncExecution: an EXPRESS execution run inline, nothing stored
    tokens.py      answers from outside: SendTask*, GetActivityTask
    children.py    nested executions: a child answers its waiting parent
    publish.py     committed events and changes to the channel layer (websockets)
    identity.py    worker ids, and whether a worker's process is gone
    limits.py      what keeps one workflow from taking the server down: slices, AWS's quotas
    engines.py, columns.py, signals.py, errors.py   what those share
"""
from .errors import (
    ExecutionAlreadyExists,
    ExecutionNotRedrivable,
    ExecutionTimeout,
    InvalidExecutionInput,
    InvalidMockTestCase,
    InvalidName,
    InvalidOutput,
    InvalidRequest,
    InvalidToken,
    RefusedRequest,
    TaskDoesNotExist,
    TaskTimedOut,
)
from .executions import (
    redrive_execution,
    start_execution,
    stop_execution,
    validate_input,
    wait_for_execution,
    why_not_redrivable,
)
from .express import start_sync_execution
from .limits import HISTORY_LIMIT
from .store import advance
from .tokens import get_activity_task, send_task_failure, send_task_heartbeat, send_task_success
from .worker import Runtime, start_embedded, stop_embedded

__all__ = [
    "HISTORY_LIMIT", "ExecutionAlreadyExists", "ExecutionNotRedrivable", "ExecutionTimeout", "InvalidExecutionInput",
    "InvalidMockTestCase", "InvalidName", "InvalidOutput", "InvalidRequest", "InvalidToken", "RefusedRequest",
    "Runtime", "TaskDoesNotExist", "TaskTimedOut", "advance", "get_activity_task", "redrive_execution",
    "send_task_failure", "send_task_heartbeat", "send_task_success", "start_embedded", "start_execution",
    "start_sync_execution", "stop_embedded", "stop_execution", "validate_input", "wait_for_execution",
    "why_not_redrivable",
]
