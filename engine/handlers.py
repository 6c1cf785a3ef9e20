"""Python task handlers: local functions that answer Task resources.

    @engine.task_handler("FirstFunction")                      # a Lambda function name
    @engine.task_handler("arn:aws:states:::aws-sdk:dynamodb:*")   # an ARN pattern
    def first(input, context):
        return {"ok": True}

A handler gets the task's input and a TaskContext and returns JSON. An
exception fails the task: the error is the exception's class name and the
cause a Lambda-style JSON document, as when a Lambda function raises.
"""
from __future__ import annotations

import fnmatch
import json

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


class TaskContext:
    """What a handler may want to know about the call: execution_arn, state_name, attempt,
    token (for .waitForTaskToken) and context_object (the $$ object)."""

    __slots__ = ("execution_arn", "state_name", "attempt", "token", "context_object")

    def __init__(self, execution_arn: str, state_name: str, attempt: int, token: str | None = None,
                 context_object: dict | None = None):
        self.execution_arn, self.state_name, self.attempt, self.token = execution_arn, state_name, attempt, token
        self.context_object = {} if context_object is None else context_object

    def __repr__(self):
        return f"TaskContext({self.execution_arn!r}, {self.state_name!r}, attempt={self.attempt})"


class TaskError(Exception):
    """Raise from a handler to fail the task with a chosen error name and cause."""

    def __init__(self, error: str, cause: str | None = None):
        super().__init__(cause or error)
        self.error = error
        self.cause = cause


class Registry:
    """Handlers by exact name/ARN and by ARN pattern; later registrations win."""

    def __init__(self):
        self.exact = {}
        self.patterns = []

    def register(self, name_or_arn: str, handler):
        if any(ch in name_or_arn for ch in "*?["):
            self.patterns.insert(0, (name_or_arn, handler))
        else:
            self.exact[name_or_arn] = handler

    def find(self, resource: str, task_input=None):
        """The handler for a Task's Resource (and, for lambda:invoke, its FunctionName)."""
        target = resource
        if resource.startswith(LAMBDA_INVOKE) and isinstance(task_input, dict):
            target = str(task_input.get("FunctionName", ""))
        for candidate in _names_of(target):
            if candidate in self.exact:
                return self.exact[candidate]
        for pattern, handler in self.patterns:
            if fnmatch.fnmatchcase(target, pattern):
                return handler
        return None


def _names_of(target: str):
    """An ARN and the shorter names it may be registered by: function name, name:qualifier."""
    yield target
    parts = target.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        yield parts[6]
        if len(parts) >= 8:
            yield f"{parts[6]}:{parts[7]}"
            yield ":".join(parts[:7])


default_registry = Registry()


def task_handler(name_or_arn: str, registry: Registry | None = None):
    """Register the decorated function as the handler of a resource."""

    def register(handler):
        (registry or default_registry).register(name_or_arn, handler)
        return handler

    return register


def call_handler(handler, resource: str, task_input, context: TaskContext):
    """Run a handler; return ("ok", result) or ("error", error, cause)."""
    invoke = resource.startswith(LAMBDA_INVOKE)
    payload = task_input.get("Payload") if invoke and isinstance(task_input, dict) else task_input
    try:
        result = handler(payload, context)
        result = json.loads(json.dumps(result))  # JSON only, and never shared with the caller
    except TaskError as e:
        return "error", e.error, e.cause
    except Exception as e:  # a handler's failure is the workflow's data, not a crash
        return "error", type(e).__name__, lambda_style_cause(e)
    if invoke:
        result = {"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": 200}
    return "ok", result


def lambda_style_cause(exc: BaseException) -> str:
    import traceback
    import uuid

    frames = traceback.format_tb(exc.__traceback__)[1:] or traceback.format_tb(exc.__traceback__)
    return json.dumps({
        "errorMessage": str(exc), "errorType": type(exc).__name__,
        "requestId": str(uuid.uuid4()), "stackTrace": frames,
    })
