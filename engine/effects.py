"""What the engine asks its caller to do. The engine itself never performs I/O
and never sleeps; the caller performs these and reports back on the
Execution (`complete`, `fail`, `fire`, `heartbeat`)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class InvokeTask:
    """Call a task resource with `input`; answer with complete() or fail().

    `key` names this attempt (execution-wide unique and stable across
    restores), so a shell can run an attempt at most once per key and drop
    the late result of one it gave up on. `pattern` is "request_response",
    "sync", "sync:2" or "wait_for_task_token" (then `token` is set and the
    answer comes through the token, not the call's return value).
    """

    id: int
    key: str
    resource: str
    input: object
    state: str
    attempt: int
    pattern: str = "request_response"
    token: str | None = None
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    context: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Call fire(id) at `due` (epoch seconds). `purpose` is for people and
    stores: "wait", "retry", "timeout", "heartbeat" or "execution_timeout"."""

    id: int
    due: float
    purpose: str
    state: str | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """Forget the effect `id`: stop a timer, abandon a task (its late answer is ignored)."""

    id: int
