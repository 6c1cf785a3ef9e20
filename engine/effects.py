"""What the engine asks its caller to do. The engine itself never performs I/O
and never sleeps; the caller performs these and reports back on the
Execution (`complete`, `fail`, `fire`, `heartbeat`).

Effects are plain records, read-only by convention (no dataclasses: the
command line starts faster without them)."""
from __future__ import annotations


class _Record:
    __slots__ = ()

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other):
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._compared)

    def __hash__(self):
        return hash((type(self), self.id))


class InvokeTask(_Record):
    """Call a task resource with `input`; answer with complete() or fail().

    `key` names this attempt (execution-wide unique and stable across
    restores), so a shell can run an attempt at most once per key and drop
    the late result of one it gave up on. `pattern` is "request_response",
    "sync", "sync:2" or "wait_for_task_token" (then `token` is set and the
    answer comes through the token, not the call's return value).
    """

    __slots__ = ("id", "key", "resource", "input", "state", "attempt", "pattern", "token", "timeout_seconds",
                 "heartbeat_seconds", "context")
    _compared = __slots__[:-1]  # the context object is not part of what the effect is

    def __init__(self, id, key, resource, input, state, attempt, pattern="request_response", token=None,
                 timeout_seconds=None, heartbeat_seconds=None, context=None):
        self.id, self.key, self.resource, self.input, self.state, self.attempt = id, key, resource, input, state, attempt
        self.pattern, self.token = pattern, token
        self.timeout_seconds, self.heartbeat_seconds = timeout_seconds, heartbeat_seconds
        self.context = {} if context is None else context


class StartTimer(_Record):
    """Call fire(id) at `due` (epoch seconds). `purpose` is for people and
    stores: "wait", "retry", "timeout", "heartbeat" or "execution_timeout"."""

    __slots__ = _compared = ("id", "due", "purpose", "state")

    def __init__(self, id, due, purpose, state=None):
        self.id, self.due, self.purpose, self.state = id, due, purpose, state


class Cancel(_Record):
    """Forget the effect `id`: stop a timer, abandon a task (its late answer is ignored)."""

    __slots__ = _compared = ("id",)

    def __init__(self, id):
        self.id = id
