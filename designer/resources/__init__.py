"""Task resources: who answers a Task state's Resource.

The runtime hands every task it cannot answer itself to `perform(request)`;
the answer is an Outcome: succeeded (the raw result), failed (error, cause) or
waiting (the answer comes later, through a task token or a child execution).
Resolved in this order (DESIGN.md, Task resources):

1. a Step Functions Local mock test case, when the execution has one — the
   runtime answers those itself, in the same transaction (designer/runtime/store.py);
2. activities (`arn:aws:states:REGION:ACCOUNT:activity:NAME`) — the runtime
   hands them to GetActivityTask pollers, they never reach a performer;
3. a Python handler registered for the resource (engine.task_handler), by
   Lambda function name, full ARN or ARN pattern, from the modules named by
   the STATELIGHT_HANDLERS setting; `arn:aws:states:::lambda:invoke` finds
   the handler of its FunctionName and answers in Lambda's response shape
   (Payload, StatusCode, ExecutedVersion). What the handler logs and prints
   during the call comes back with the outcome (`Outcome.logs`,
   handler_logs.py); the runtime stores it with the answer (TaskLog);
4. the performers registered here, first match wins: http:invoke,
   states:startExecution, and whatever a part of the app plugs
   in (`register(matcher, performer)`, e.g. the human-approval resource);
5. otherwise the task fails with States.TaskFailed and a cause naming the
   resource and how to answer it.

With `.waitForTaskToken` the resource is invoked with the token in its input
and the task then waits for SendTaskSuccess/Failure (a performer's result is
ignored; a failure still fails the task).
"""
from __future__ import annotations

import fnmatch
import importlib
import logging
import threading
from dataclasses import dataclass, field, replace

from django.conf import settings

from engine.handlers import TaskContext, call_handler, default_registry
from engine.runner import unanswered_cause
from engine.states import split_integration_pattern

from . import handler_logs

log = logging.getLogger(__name__)

SUCCEEDED, FAILED, WAITING = "succeeded", "failed", "waiting"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    result: object = None
    error: str | None = None
    cause: str | None = None
    # what a Python handler logged and printed: {"lines": [...], "dropped": n} (handler_logs.py)
    logs: dict | None = None


def succeeded(result) -> Outcome:
    return Outcome(SUCCEEDED, result=result)


def failed(error: str | None, cause: str | None = None) -> Outcome:
    return Outcome(FAILED, error=error, cause=cause)


WAIT = Outcome(WAITING)


@dataclass
class TaskRequest:
    """One attempt of one Task state, as the engine asked for it (engine.effects.InvokeTask)."""

    resource: str  # as written in the definition, suffix included
    input: object
    state: str
    attempt: int = 0
    pattern: str = "request_response"
    token: str | None = None
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    context: dict = field(default_factory=dict)  # the $$ object
    key: str = ""  # the attempt's idempotency key (engine): execution, frame, entry, state, attempt
    effect_id: int = 0
    execution_id: int | None = None  # None for a synchronous Express execution (nothing stored)
    effect_pk: int | None = None
    worker_id: str = ""
    owner_id: int | None = None

    @property
    def resource_arn(self) -> str:
        """The resource without its integration pattern suffix (.sync, .sync:2, .waitForTaskToken)."""
        return split_integration_pattern(self.resource)[0]

    @property
    def entered_event_id(self) -> int:
        """The id of the state's *StateEntered event: which run of the state this attempt belongs to
        (the engine's key is `execution ARN/frame/entered event id/state/attempt`)."""
        part = self.key.split("/", 3)[2:3]
        return int(part[0]) if part and part[0].isdigit() else 0

    @property
    def execution_arn(self) -> str:
        return self.context.get("Execution", {}).get("Id", "")

    @property
    def durable(self) -> bool:
        """False inside StartSyncExecution: nothing may wait for an answer from outside."""
        return self.execution_id is not None

    def task_context(self) -> TaskContext:
        return TaskContext(self.execution_arn, self.state, self.attempt, self.token, self.context)

    @classmethod
    def from_effect(cls, effect, **extra) -> "TaskRequest":
        return cls(resource=effect.resource, input=effect.input, state=effect.state, attempt=effect.attempt,
                   pattern=effect.pattern, token=effect.token, timeout_seconds=effect.timeout_seconds,
                   heartbeat_seconds=effect.heartbeat_seconds, context=effect.context, key=effect.key,
                   effect_id=effect.id, **extra)


# --- performers ---------------------------------------------------------------

_performers: list = []  # [(matcher, performer)], first match wins
_performers_lock = threading.Lock()


def register(matcher, performer, *, first: bool = False):
    """Answer the resources `matcher` accepts with `performer(request) -> Outcome`.

    `matcher` is an ARN or fnmatch pattern (matched against the resource
    without its .sync/.waitForTaskToken suffix) or a callable(request) -> bool.
    `first=True` puts it before the built-in performers.
    """
    with _performers_lock:
        entry = (matcher, performer)
        if first:
            _performers.insert(0, entry)
        else:
            _performers.append(entry)
    return performer


def unregister(performer):
    with _performers_lock:
        _performers[:] = [entry for entry in _performers if entry[1] is not performer]


def _matches(matcher, request: TaskRequest) -> bool:
    if callable(matcher):
        return bool(matcher(request))
    return fnmatch.fnmatchcase(request.resource_arn, matcher)


def find_performer(request: TaskRequest):
    with _performers_lock:
        entries = list(_performers)
    for matcher, performer in entries:
        if _matches(matcher, request):
            return performer
    return None


def find_handler(request: TaskRequest):
    """The Python handler registered for the resource (full resource first, then without its suffix)."""
    load_handlers()
    handler = default_registry.find(request.resource, request.input)
    if handler is None and request.resource_arn != request.resource:
        handler = default_registry.find(request.resource_arn, request.input)
    return handler


def perform(request: TaskRequest) -> Outcome:
    """Answer one task attempt. Never raises: a crash is the task's failure."""
    try:
        outcome = _perform(request)
    except Exception as e:  # a resource's bug fails the task, not the worker
        log.exception("task resource %s crashed", request.resource)
        outcome = failed("States.TaskFailed", f"The resource {request.resource} raised {type(e).__name__}: {e}")
    logs = outcome.logs
    if request.pattern == "wait_for_task_token" and outcome.kind == SUCCEEDED:
        # invoked; the answer comes with the token
        outcome = WAIT
    if outcome.kind == WAITING and not request.durable:
        outcome = failed("States.Runtime", f"The resource {request.resource} waits for an answer from outside "
                                           "(a task token, an activity or a child execution), which Express "
                                           "workflows do not support.")
    return replace(outcome, logs=logs) if logs is not None and outcome.logs is None else outcome


def _perform(request: TaskRequest) -> Outcome:
    handler = find_handler(request)
    if handler is not None:
        with handler_logs.capture() as captured:
            outcome = call_handler(handler, request.resource_arn, request.input, request.task_context())
        answer = succeeded(outcome[1]) if outcome[0] == "ok" else failed(outcome[1], outcome[2])
        return replace(answer, logs=captured.result())
    performer = find_performer(request)
    if performer is not None:
        return performer(request)
    return failed("States.TaskFailed", unanswered(request))


def unanswered(request: TaskRequest) -> str:
    return unanswered_cause(request.resource, request.input).replace(
        "register a handler with @engine.task_handler(...)",
        "register a handler with @engine.task_handler(...) in a module named by the STATELIGHT_HANDLERS setting")


# --- handler modules ----------------------------------------------------------

_handlers_loaded = False
_handlers_lock = threading.Lock()


def load_handlers(force: bool = False):
    """Import the STATELIGHT_HANDLERS modules once per process (their decorators register handlers)."""
    global _handlers_loaded
    if _handlers_loaded and not force:
        return
    with _handlers_lock:
        if _handlers_loaded and not force:
            return
        for name in getattr(settings, "STATELIGHT_HANDLERS", []):
            try:
                importlib.import_module(name)
            except Exception:
                # a broken handler module must not stop the runtime: its tasks fail with a clear cause
                log.exception("could not import the handler module %s (STATELIGHT_HANDLERS)", name)
        _handlers_loaded = True


def _register_builtins():
    # lambda:invoke needs no performer of its own: the handler registry maps
    # its FunctionName to a handler and call_handler gives Lambda's response shape
    from . import http, nested

    register(http.HTTP_INVOKE, http.perform)
    register(nested.START_EXECUTION, nested.perform)


_register_builtins()

__all__ = [
    "FAILED", "Outcome", "SUCCEEDED", "TaskRequest", "WAIT", "WAITING", "failed", "find_handler", "load_handlers",
    "perform", "register", "succeeded", "unregister",
]
