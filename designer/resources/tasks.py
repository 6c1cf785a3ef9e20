"""What the runtime asks of a task resource, and what it answers: a TaskRequest (one attempt of
one Task state, as the engine issued it) and an Outcome (succeeded, failed, or waiting for an
answer from outside)."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.handlers import TaskContext
from engine.states import split_integration_pattern

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

    @classmethod
    def from_stored(cls, row, **extra) -> "TaskRequest":
        """The request of a task Effect row (its payload is stored_payload()'s)."""
        p = row.payload
        return cls(resource=p["resource"], input=p["input"], state=p["state"], attempt=p["attempt"],
                   pattern=p["pattern"], token=p["token"], timeout_seconds=p["timeout_seconds"],
                   heartbeat_seconds=p["heartbeat_seconds"], context=p["context"], key=row.key,
                   effect_id=row.effect_id, execution_id=row.execution_id, effect_pk=row.pk, **extra)


def stored_payload(effect) -> dict:
    """An engine InvokeTask as its Effect row keeps it (what from_stored reads back)."""
    return {"resource": effect.resource, "input": effect.input, "state": effect.state, "attempt": effect.attempt,
            "pattern": effect.pattern, "token": effect.token, "timeout_seconds": effect.timeout_seconds,
            "heartbeat_seconds": effect.heartbeat_seconds, "context": effect.context}
