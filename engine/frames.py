"""Frames and fan-outs: the pieces of an execution's position, and their snapshot records.

A frame is one running sequence of states (the execution itself, a Parallel
branch or a Map iteration) and the scope its current state evaluates in:
paths, templates, intrinsics and choice rules read `.context`,
`.variables` and `.random` from it.
"""
from __future__ import annotations

from collections import ChainMap
from datetime import datetime, timezone

from . import errors
from .serialize import PAYLOAD_LIMIT, depth_of, size_in_bytes
from .timestamps import format_timestamp

# frame.status
RUNNING, BLOCKED_ON, DONE, FAILED, ABORTED = "RUNNING", "BLOCKED", "DONE", "FAILED", "ABORTED"


class Frame:
    """One running sequence of states, and the evaluation scope of its current state."""

    __slots__ = (
        "ex", "id", "parent", "index", "machine", "state", "data", "status", "entering", "resume",
        "last_id", "entered_id", "entered_at", "attempts", "retry_count", "effect", "timers", "token",
        "fan", "output", "error", "cause", "variables", "map_item", "queued", "task_input",
        "task_limits", "trace", "size", "silent", "entered_prev", "assigned", "path", "depth", "var_depth",
    )

    def __init__(self, ex, id, parent, index, machine, data):
        self.ex = ex
        self.id = id
        self.parent = parent
        self.index = index
        self.machine = machine
        self.state = machine.start_at
        self.data = data
        self.status = RUNNING
        self.entering = True
        self.resume = None  # (name, *arguments): what it does when it runs again (execution.RESUMES)
        self.last_id = 0
        self.entered_id = 0
        self.entered_at = 0.0
        self.attempts = None
        self.retry_count = 0
        self.effect = None
        self.timers = {}
        self.token = None
        self.fan = None
        self.output = self.error = self.cause = None
        self.variables = None
        self.map_item = None
        self.queued = False
        self.task_input = None
        self.task_limits = (None, None)
        self.trace = None  # TestState's inspection data, when it asks for it
        self.size = 0  # an upper bound of the size of `data` as JSON, in bytes
        self.silent = False  # a DISTRIBUTED Map's iteration: a child execution, not in this history
        self.entered_prev = 0
        self.assigned = None  # the variables this state assigned, for its Exited event
        self.path = None  # where it runs, once asked (Execution.path_of): not in the snapshot
        self.depth = 0  # an upper bound of the nesting of `data` and of the variables it can read
        self.var_depth = 0  # an upper bound of the nesting of the variables it can read

    # -- the scope protocol used by paths, templates, intrinsics and choice rules
    @property
    def context(self) -> dict:
        ex = self.ex
        state = {"Name": self.state, "EnteredTime": format_timestamp_epoch(self.entered_at)}
        if self.attempts is not None:
            state["RetryCount"] = self.retry_count
        context = {"Execution": ex.execution_context, "StateMachine": ex.machine_context, "State": state}
        if self.token is not None:
            context["Task"] = {"Token": self.token}
        if self.map_item is not None:
            context["Map"] = {"Item": {"Index": self.map_item[0], "Value": self.map_item[1]}}
        return context

    @property
    def random(self):
        return self.ex.draw_random()

    @property
    def random_source(self):
        """Randomness drawn only when an expression asks for it ($random, $uuid)."""
        return self.ex.random_source

    def assign(self, values: dict):
        """Set workflow variables in this frame's scope (outer scopes are only read)."""
        if size_in_bytes(values) > PAYLOAD_LIMIT:
            # "the combined size of all variables in a single Assign field" is capped like a payload
            raise errors.DataLimitExceeded(
                f"The variables assigned by the state '{self.state}' exceed the maximum number of bytes service "
                f"limit ({PAYLOAD_LIMIT} bytes for one Assign).", verbatim=True)
        if self.variables is None:
            self.variables = {}
        self.var_depth = max(self.var_depth, depth_of(values))
        self.depth = max(self.depth, self.var_depth)  # frame.depth bounds what the frame can read
        self.variables.update(values)
        self.assigned = values if self.assigned is None else {**self.assigned, **values}


class RandomSource:
    """Looks like a random.Random; each use is a fresh draw of the execution's
    (seed, draw number), so runs are reproducible and survive a restore."""

    __slots__ = ("_ex",)

    def __init__(self, ex):
        self._ex = ex

    def __getattr__(self, name):
        return getattr(self._ex.draw_random(), name)


class Fan:
    """The children of a running Parallel or Map state."""

    __slots__ = ("kind", "total", "launched", "running", "succeeded", "failed", "limit",
                 "tolerated_count", "tolerated_percentage", "items", "input", "children", "failure",
                 "after_iteration")

    def __init__(self, kind, total, limit=0, items=None, input=None):
        self.kind = kind
        self.total = total
        self.launched = self.running = self.succeeded = self.failed = 0
        self.limit = limit
        self.tolerated_count = self.tolerated_percentage = None
        self.items = items
        self.input = input
        self.children = []
        self.failure = None
        self.after_iteration = None  # the last event of the iteration that just ended

    def can_launch(self) -> bool:
        return self.launched < self.total and (self.limit == 0 or self.running < self.limit)

    def exceeds_tolerance(self) -> bool:
        if self.failed == 0:
            return False
        if self.tolerated_count is None and self.tolerated_percentage is None:
            return True
        if self.tolerated_count is not None and self.failed > self.tolerated_count:
            return True
        if self.tolerated_percentage is not None and self.failed * 100 > self.tolerated_percentage * self.total:
            return True
        return False


def format_timestamp_epoch(seconds: float) -> str:
    return format_timestamp(datetime.fromtimestamp(seconds, timezone.utc))


FRAME_FIELDS = ("id", "parent", "index", "state", "data", "status", "entering", "last_id", "entered_id",
                 "entered_at", "attempts", "retry_count", "effect", "token", "output", "error", "cause",
                 "variables", "task_input", "task_limits", "size", "silent", "entered_prev", "resume", "depth",
                 "var_depth")
FAN_FIELDS = ("kind", "total", "launched", "running", "succeeded", "failed", "limit", "tolerated_count",
               "tolerated_percentage", "items", "input", "failure", "after_iteration")


def frame_record(frame) -> dict:
    record = {name: getattr(frame, name) for name in FRAME_FIELDS}
    if isinstance(frame.variables, ChainMap):
        record["variables"] = frame.variables.maps[0]  # the frame's own scope; outer ones are their frames'
    record["machine"] = frame.machine.pointer
    record["timers"] = [[timer_id, purpose, due] for timer_id, (purpose, due) in frame.timers.items()]
    if frame.fan is not None:
        record["fan"] = {name: getattr(frame.fan, name) for name in FAN_FIELDS}
    return record


def frame_from_record(ex, record, scopes):
    frame = Frame(ex, record["id"], record["parent"], record["index"], scopes[record["machine"]], record["data"])
    for name in FRAME_FIELDS:
        setattr(frame, name, record.get(name))
    frame.depth, frame.var_depth = frame.depth or 0, frame.var_depth or 0  # older snapshots have neither
    frame.timers = {timer_id: (purpose, due) for timer_id, purpose, due in record["timers"]}
    if record.get("fan") is not None:
        fan = Fan(record["fan"]["kind"], record["fan"]["total"])
        for name in FAN_FIELDS:
            setattr(fan, name, record["fan"].get(name))
        fan.failure = tuple(fan.failure) if fan.failure else None
        frame.fan = fan
    return frame
