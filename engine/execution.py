"""A resumable execution: the scheduler, Retry/Catch, events and snapshots.

An Execution is advanced by its caller, never by itself: start() and each
answer to an effect (complete, fail, fire, heartbeat, stop) run every frame
that can run until all are blocked, and return a Step: the new history
events and the new effects to perform. A frame is one running sequence of
states: the execution itself, a Parallel branch or a Map iteration.

Frames run in a fixed order (depth first, children before their parent
resumes) so that the same definition, input, clock and seed always produce
the same history.
"""
from __future__ import annotations

import base64
import os
import random as _random
import re
import time
import uuid
from collections import ChainMap, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import errors
from .effects import Cancel, InvokeTask, StartTimer
from .history import Event
from .serialize import PAYLOAD_LIMIT, size_in_bytes, to_json
from .states import BLOCKED, Map, Parallel, data_limit_exceeded, matches
from .timestamps import format_timestamp

SNAPSHOT_FORMAT = 1

# frame.status
RUNNING, BLOCKED_ON, DONE, FAILED, ABORTED = "RUNNING", "BLOCKED", "DONE", "FAILED", "ABORTED"


@dataclass(slots=True)
class Step:
    events: list = field(default_factory=list)
    effects: list = field(default_factory=list)


class Frame:
    """One running sequence of states, and the evaluation scope of its current state."""

    __slots__ = (
        "ex", "id", "parent", "index", "machine", "state", "data", "status", "entering", "resume",
        "last_id", "entered_id", "entered_at", "attempts", "retry_count", "effect", "timers", "token",
        "fan", "output", "error", "cause", "variables", "map_item", "queued", "task_input",
        "task_limits", "trace", "size", "silent", "entered_prev", "assigned",
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
        self.resume = None
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
        if self.variables is None:
            self.variables = {}
        self.variables.update(values)
        self.assigned = values if self.assigned is None else {**self.assigned, **values}


class _RandomSource:
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
                 "tolerated_count", "tolerated_percentage", "items", "input", "children", "failure", "attempt",
                 "after_iteration", "failure_event")

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
        self.attempt = 0
        self.after_iteration = None  # the last event of the iteration that just ended
        self.failure_event = None  # the last event of the child whose failure failed the fan-out

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


class Execution:
    """One run of a state machine. See the module docstring."""

    def __init__(self, machine, input, *, name="execution", execution_arn=None, state_machine_arn=None,
                 state_machine_name=None, role_arn=None, start_time=None, clock=time.time, seed=None,
                 token_factory=None, history_limit=None, redrive_count=0, record_events=True, variables=None,
                 trace=None):
        self.machine = machine
        self.input = input
        self.name = name
        self.clock = clock
        self.seed = seed if seed is not None else int.from_bytes(os.urandom(8))
        self.draws = 0
        self.token_factory = token_factory or new_task_token
        self.history_limit = history_limit
        # Event ids are always counted (causes quote them); the events themselves
        # are built only for a caller that keeps them.
        self.record_events = record_events
        self.random_source = _RandomSource(self)
        self._initial_variables = variables  # TestState: the variables the state starts with
        self._trace = trace  # TestState: where the root frame records its data flow
        self.start_time = clock() if start_time is None else start_time
        state_machine_name = state_machine_name or "StateMachine"
        self.machine_context = {
            "Id": state_machine_arn or f"arn:aws:states:us-east-1:123456789012:stateMachine:{state_machine_name}",
            "Name": state_machine_name,
        }
        self.execution_context = {
            "Id": execution_arn or f"arn:aws:states:us-east-1:123456789012:execution:{state_machine_name}:{name}",
            "Input": input,
            "StartTime": format_timestamp_epoch(self.start_time),
            "Name": name,
            "RoleArn": role_arn or "arn:aws:iam::123456789012:role/StatelightExecution",
            "RedriveCount": redrive_count,
        }
        self.status = "RUNNING"
        self.output = self.error = self.cause = None
        self.frames = {}
        self.pending = {}  # effect id -> frame id
        self.next_event_id = 1
        self.next_effect_id = 1
        self.next_frame_id = 1
        self._ready = deque()
        self._step = Step()
        self._dirty = set()

    # ------------------------------------------------------------------ the caller's side
    def start(self) -> Step:
        if self.next_event_id != 1:
            raise RuntimeError("execution already started")
        self._event(None, "ExecutionStarted", {
            "input": self.input, "roleArn": self.execution_context["RoleArn"],
        }, previous=0)
        root = self._new_frame(None, None, self.machine, self.input)
        root.variables = dict(self._initial_variables) if self._initial_variables else None
        root.trace = self._trace
        if self.machine.timeout_seconds:
            self._timer(root, self.start_time + self.machine.timeout_seconds, "execution_timeout")
        root.size = size_in_bytes(self.input)
        if root.size > PAYLOAD_LIMIT:
            self._end_execution("ExecutionFailed", error="States.DataLimitExceeded",
                                cause="The input to the execution exceeds the maximum number of bytes service limit.")
            return self._take_step()
        self._queue(root)
        return self._run()

    def complete(self, effect_id: int, result) -> Step:
        """A task answered with `result` (its raw result, before ResultSelector)."""
        frame = self._claim(effect_id, "task")
        if frame is None:
            return self._take_step()
        state = frame.machine.states[frame.state]
        frame.resume = lambda: self._task_succeeded(frame, state, result)
        self._queue(frame)
        return self._run()

    def fail(self, effect_id: int, error: str | None, cause: str | None) -> Step:
        """A task failed with an error name and a cause."""
        frame = self._claim(effect_id, "task")
        if frame is None:
            return self._take_step()
        state = frame.machine.states[frame.state]
        frame.resume = lambda: self._task_failed(frame, state, error, cause)
        self._queue(frame)
        return self._run()

    def heartbeat(self, effect_id: int) -> Step:
        """A task reported it is alive: its heartbeat timer starts over."""
        frame_id = self.pending.get(effect_id)
        frame = self.frames.get(frame_id)
        if frame is not None and frame.effect == effect_id:
            state = frame.machine.states[frame.state]
            for timer_id, (purpose, _) in list(frame.timers.items()):
                if purpose == "heartbeat":
                    self._cancel_timer(frame, timer_id)
                    self._timer(frame, self.now() + frame.task_limits[1], "heartbeat")
        return self._take_step()

    def fire(self, timer_id: int) -> Step:
        """A timer this execution asked for is due."""
        frame_id = self.pending.pop(timer_id, None)
        frame = self.frames.get(frame_id)
        if frame is None or timer_id not in frame.timers:
            return self._take_step()
        purpose, _ = frame.timers.pop(timer_id)
        if purpose == "execution_timeout":
            self._abort_all()
            self._end_execution("ExecutionTimedOut", error="States.Timeout",
                                cause="The execution timed out: it ran longer than the state machine's TimeoutSeconds.")
            return self._take_step()
        state = frame.machine.states[frame.state]
        if purpose == "wait":
            frame.resume = lambda: state.on_timer(self, frame, purpose)
        elif purpose == "retry":
            frame.resume = lambda: state.run(self, frame)
        else:  # a task's timeout or heartbeat ran out
            frame.resume = lambda: self._task_timed_out(frame, state, purpose)
        self._queue(frame)
        return self._run()

    def stop(self, error: str | None = None, cause: str | None = None) -> Step:
        """StopExecution: abort every frame, the execution ends ABORTED."""
        if self.status == "RUNNING":
            self._abort_all()
            self._end_execution("ExecutionAborted", error=error, cause=cause)
        return self._take_step()

    def redrive(self) -> Step:
        """RedriveExecution: continue a FAILED, TIMED_OUT or ABORTED execution from its
        unsuccessful states, with their inputs; within Parallel and Map states only the
        branches and iterations that did not succeed run again.
        https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html"""
        if self.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
            raise ValueError(f"an execution with status {self.status} cannot be redriven")
        root = next(f for f in self.frames.values() if f.parent is None)
        self.status = "RUNNING"
        self.output = self.error = self.cause = None
        redrive_count = self.execution_context["RedriveCount"] + 1
        self.execution_context = {**self.execution_context, "RedriveCount": redrive_count}
        self._event(None, "ExecutionRedriven", {"redriveCount": redrive_count})
        self._redrive_frame(root)
        return self._run()

    def _redrive_frame(self, frame):
        self._dirty.add(frame.id)
        frame.error = frame.cause = None
        fan = frame.fan
        if fan is None:  # it failed, or was aborted, in this state: enter it again
            frame.status = RUNNING
            frame.entering = True
            frame.effect = None
            frame.timers = {}
            self._queue(frame)
            return
        frame.status = BLOCKED_ON
        state = frame.machine.states[frame.state]
        fan.failure = None
        fan.failed = fan.running = 0
        for child_id in fan.children:
            child = self.frames[child_id]
            if child.status in (FAILED, ABORTED):
                fan.running += 1
                if fan.kind == "map":
                    self._event(frame, "MapIterationStarted", {"name": state.name, "index": child.index})
                self._redrive_frame(child)
        if fan.running == 0 or fan.can_launch():
            frame.resume = lambda: self._launch(frame, state)
            self._queue(frame)

    def pending_effects(self) -> list:
        """The effects still outstanding, e.g. to perform again after a restore."""
        effects = []
        for frame in self.frames.values():
            if frame.status != BLOCKED_ON:
                continue
            if frame.effect is not None and frame.effect in self.pending:
                state = frame.machine.states[frame.state]
                effects.append(self._invoke_effect(frame, state, frame.effect, frame.task_input))
        for frame in self.frames.values():
            for timer_id, (purpose, due) in frame.timers.items():
                effects.append(StartTimer(timer_id, due, purpose, frame.state))
        return effects

    def now(self) -> float:
        return self.clock()

    def draw_random(self):
        """A Random for one use, derived from (seed, draw number): reproducible and resumable."""
        self.draws += 1
        return _random.Random(f"{self.seed}:{self.draws}")

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> dict:
        """The whole position of the execution, as JSON-ready data."""
        self._dirty.clear()
        return {"format": SNAPSHOT_FORMAT, "execution": self._execution_record(),
                "frames": {str(f.id): _frame_record(f) for f in self.frames.values()}}

    def changes(self) -> dict:
        """What changed since the last snapshot() or changes(): the execution record and
        the frames written (None for a frame that is gone). Applied in order on top of a
        snapshot, they give the current snapshot; a big Map rewrites only the frames it touched."""
        frames = {str(i): (_frame_record(self.frames[i]) if i in self.frames else None) for i in self._dirty}
        self._dirty.clear()
        return {"format": SNAPSHOT_FORMAT, "execution": self._execution_record(), "frames": frames}

    def _execution_record(self) -> dict:
        return {
            "status": self.status, "output": self.output, "error": self.error, "cause": self.cause,
            "next_event_id": self.next_event_id, "next_effect_id": self.next_effect_id,
            "next_frame_id": self.next_frame_id, "seed": self.seed, "draws": self.draws,
            "start_time": self.start_time, "name": self.name, "history_limit": self.history_limit,
            "execution_context": self.execution_context, "machine_context": self.machine_context,
        }

    @classmethod
    def restore(cls, machine, snapshot: dict, *, clock=time.time, token_factory=None) -> "Execution":
        """Continue an execution from snapshot() (or a snapshot with changes() applied)."""
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"unsupported snapshot format {snapshot.get('format')!r}")
        record = snapshot["execution"]
        context = record["execution_context"]
        ex = cls(machine, context["Input"], name=record["name"], execution_arn=context["Id"],
                 state_machine_arn=record["machine_context"]["Id"], state_machine_name=record["machine_context"]["Name"],
                 role_arn=context["RoleArn"], start_time=record["start_time"], clock=clock, seed=record["seed"],
                 token_factory=token_factory, history_limit=record["history_limit"],
                 redrive_count=context["RedriveCount"])
        ex.execution_context = context
        for key in ("status", "output", "error", "cause", "next_event_id", "next_effect_id", "next_frame_id", "draws"):
            setattr(ex, key, record[key])
        scopes = {m.pointer: m for m in machine.walk()}
        for record in sorted((r for r in snapshot["frames"].values() if r is not None), key=lambda r: r["id"]):
            frame = _frame_from_record(ex, record, scopes)
            ex.frames[frame.id] = frame
            for effect_id in ([frame.effect] if frame.effect is not None else []) + list(frame.timers):
                ex.pending[effect_id] = frame.id
        for frame in sorted(ex.frames.values(), key=lambda f: (f.parent or 0, f.index or 0)):
            if frame.parent is not None:
                ex.frames[frame.parent].fan.children.append(frame.id)
        for frame in sorted(ex.frames.values(), key=lambda f: f.id):  # parents before children
            parent = ex.frames.get(frame.parent)
            if parent is not None and parent.variables is not None:
                frame.variables = ChainMap(frame.variables or {}, parent.variables)
        ex._dirty.clear()
        return ex

    # ------------------------------------------------------------------ scheduling
    def _new_frame(self, parent, index, machine, data):
        frame = Frame(self, self.next_frame_id, parent.id if parent is not None else None, index, machine, data)
        self.next_frame_id += 1
        self.frames[frame.id] = frame
        if parent is not None:
            frame.last_id = parent.last_id
            if parent.variables is not None:
                frame.variables = ChainMap({}, parent.variables)
        self._dirty.add(frame.id)
        return frame

    def _queue(self, frame, first=False):
        self._dirty.add(frame.id)
        if frame.queued:
            return
        frame.queued = True
        frame.status = RUNNING
        if first:
            self._ready.appendleft(frame)
        else:
            self._ready.append(frame)

    def _run(self) -> Step:
        ready = self._ready
        while ready and self.status == "RUNNING":
            frame = ready.popleft()
            frame.queued = False
            if frame.status == RUNNING:
                self._drive(frame)
        ready.clear()
        return self._take_step()

    def _take_step(self) -> Step:
        step, self._step = self._step, Step()
        return step

    def _drive(self, frame):
        """Run one frame until it blocks or ends."""
        states = frame.machine.states
        while True:
            state = states[frame.state]
            action, frame.resume = frame.resume, None
            try:
                if action is not None:
                    outcome = action()
                else:
                    if frame.entering:
                        self._enter(frame, state)
                    outcome = state.run(self, frame)
            except errors.StatesError as failure:
                outcome = self._recover(frame, state, failure)
            if outcome is BLOCKED:
                if frame.status == RUNNING and not frame.queued:
                    frame.status = BLOCKED_ON
                return
            next_name, output = outcome
            growth = state.growth
            bound = PAYLOAD_LIMIT + 1 if growth is None else frame.size * growth[0] + growth[1]
            if bound <= PAYLOAD_LIMIT:
                frame.size = bound
            else:
                frame.size = size_in_bytes(output)
                if frame.size > PAYLOAD_LIMIT:
                    outcome = self._recover(frame, state, data_limit_exceeded(state.name))
                    if outcome is BLOCKED:
                        return
                    next_name, output = outcome
                    frame.size = size_in_bytes(output)
            details = {"name": state.name, "output": output}
            if frame.assigned is not None:
                details["assignedVariables"] = frame.assigned
                frame.assigned = None
            self._event(frame, state.exited_event, details)
            if next_name is None:
                self._finish(frame, output)
                return
            frame.state = next_name
            frame.data = output
            frame.entering = True
            if frame.status != RUNNING:
                return

    def _enter(self, frame, state):
        frame.entering = False
        frame.entered_at = self.now()
        frame.entered_prev = frame.last_id
        frame.assigned = None
        frame.entered_id = self._event(frame, state.entered_event, {"name": state.name, "input": frame.data})
        frame.attempts = [0] * len(state.retriers) if state.retriers else None
        frame.retry_count = 0

    def _finish(self, frame, output):
        frame.status = DONE
        frame.output = output
        self._dirty.add(frame.id)
        if frame.parent is None:
            self._end_execution("ExecutionSucceeded", output=output)
        else:
            self._child_ended(frame)

    def _fail_frame(self, frame, error, cause):
        frame.status = FAILED
        frame.error, frame.cause = error, cause
        self._dirty.add(frame.id)
        if frame.parent is None:
            self._end_execution("ExecutionFailed", error=error, cause=cause)
        else:
            self._child_ended(frame)

    # ------------------------------------------------------------------ Retry and Catch
    def _recover(self, frame, state, failure):
        """Retry, Catch or fail the frame, for an error raised in `state`."""
        error, cause = failure.error, failure.cause
        if not getattr(failure, "verbatim", False) and frame.entered_id:
            cause = f"An error occurred while executing the state '{state.name}' (entered at the event id #{frame.entered_id}). {cause}"
            if error == "States.QueryEvaluationError":
                # AWS links it to the state's own predecessor, but to a Wait's entry (as recorded)
                self._event(frame, "EvaluationFailed", {
                    "cause": cause, "error": error, "location": _location(failure.cause), "state": state.name,
                }, previous=frame.entered_id if state.type == "Wait" else frame.entered_prev)
        fan_event = getattr(failure, "fan_event", None)
        for i, retrier in enumerate(state.retriers):
            if matches(retrier.errors, error):
                attempt = frame.attempts[i]
                if attempt < retrier.max_attempts:
                    self._forget_fan(frame)  # a retried Parallel or Map runs all its children again
                    frame.attempts[i] = attempt + 1
                    frame.retry_count += 1
                    self._timer(frame, self.now() + retrier.delay(attempt, self.draw_random()), "retry")
                    return BLOCKED
                break
        if fan_event is not None:  # not for an attempt that is retried (as AWS records it)
            self._event(frame, fan_event)
        for catcher in state.catchers:
            if matches(catcher.errors, error):
                self._forget_fan(frame)
                error_output = {"Error": error} if cause is None else {"Error": error, "Cause": cause}
                frame.size += size_in_bytes(error_output)
                return catcher.next, state.flow.error_output(frame.data, error_output, catcher, frame)
        # Uncaught: a failed Parallel or Map keeps its children, so a redrive
        # runs again only the branches and iterations that did not succeed.
        self._fail_frame(frame, error, cause)
        return BLOCKED

    # ------------------------------------------------------------------ Task
    def schedule_task(self, state, frame):
        parameters = state.flow.effective_input(frame.data, frame)
        timeout = state.seconds(frame, "timeout")
        heartbeat = state.seconds(frame, "heartbeat")
        frame.task_limits = (timeout, heartbeat)
        effect_id = self._effect_id()
        frame.effect = effect_id
        self.pending[effect_id] = frame.id
        if state.pattern == "wait_for_task_token":
            frame.token = self.token_factory()
            parameters = state.flow.effective_input(frame.data, frame)  # now $$.Task.Token resolves
        details = {"resourceType": state.resource_type, "resource": state.resource_name,
                   "region": self.region, "parameters": parameters}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        if state.resource_type == "lambda" and state.resource_name == "function":
            self._event(frame, "LambdaFunctionScheduled", {"resource": state.resource_arn, "input": parameters,
                                                           **({"timeoutInSeconds": timeout} if timeout else {})})
            self._event(frame, "LambdaFunctionStarted")
        elif state.resource_type == "activity":
            self._event(frame, "ActivityScheduled", {"resource": state.resource_arn, "input": parameters,
                                                     **({"timeoutInSeconds": timeout} if timeout else {}),
                                                     **({"heartbeatInSeconds": heartbeat} if heartbeat else {})})
        else:
            self._event(frame, "TaskScheduled", details)
            self._event(frame, "TaskStarted", {"resourceType": state.resource_type, "resource": state.resource_name})
        if timeout is not None:
            self._timer(frame, self.now() + timeout, "timeout")
        if heartbeat is not None:
            self._timer(frame, self.now() + heartbeat, "heartbeat")
        frame.task_input = parameters
        self._step.effects.append(self._invoke_effect(frame, state, effect_id, parameters))
        return BLOCKED

    def _invoke_effect(self, frame, state, effect_id, parameters):
        attempt = frame.retry_count
        return InvokeTask(
            id=effect_id, key=f"{self.execution_context['Id']}/{frame.id}/{frame.entered_id}/{state.name}/{attempt}",
            resource=state.resource, input=parameters, state=state.name, attempt=attempt,
            pattern=state.pattern, token=frame.token,
            timeout_seconds=frame.task_limits[0],
            heartbeat_seconds=frame.task_limits[1],
            context=frame.context,
        )

    @property
    def region(self) -> str:
        parts = self.execution_context["Id"].split(":")
        return parts[3] if len(parts) > 3 else "us-east-1"

    def _claim(self, effect_id, kind):
        """The frame waiting on this task effect, or None for a late or unknown answer."""
        frame_id = self.pending.get(effect_id)
        frame = self.frames.get(frame_id)
        if frame is None or frame.effect != effect_id or frame.status != BLOCKED_ON:
            return None
        del self.pending[effect_id]
        frame.effect = None
        frame.task_input = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        return frame

    def _task_succeeded(self, frame, state, result):
        frame.token = None
        kind = self._task_event_kind(state)
        result_size = size_in_bytes(result)
        if result_size > PAYLOAD_LIMIT:
            # AWS records the task as failed, naming the resource (the function ARN, or 'lambda' for lambda:invoke)
            who = state.resource_arn if kind != "Task" else state.resource_type
            return self._task_failed(frame, state, "States.DataLimitExceeded",
                                     f"The state/task '{who}' returned a result with a size exceeding the maximum "
                                     "number of bytes service limit.")
        if kind == "Task":
            self._event(frame, "TaskSucceeded", {"resourceType": state.resource_type, "resource": state.resource_name,
                                                 "output": result})
        else:
            self._event(frame, kind + "Succeeded", {"output": result})
        frame.size += result_size
        return state.next, state.flow.output(frame.data, result, frame)

    def _task_failed(self, frame, state, error, cause):
        frame.token = None
        kind = self._task_event_kind(state)
        details = {} if kind != "Task" else {"resourceType": state.resource_type, "resource": state.resource_name}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self._event(frame, kind + "Failed", details)
        failure = errors.StatesError(cause, error)
        failure.verbatim = True
        raise failure

    def _task_timed_out(self, frame, state, purpose):
        effect_id = frame.effect
        self.pending.pop(effect_id, None)
        frame.effect = None
        frame.token = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        self._step.effects.append(Cancel(effect_id))
        error = "States.Timeout" if purpose == "timeout" else "States.HeartbeatTimeout"
        kind = self._task_event_kind(state)
        details = {"error": error}
        if kind == "Task":
            details = {"resourceType": state.resource_type, "resource": state.resource_name, "error": error}
        self._event(frame, kind + "TimedOut", details)
        failure = errors.StatesError(None, error)
        failure.verbatim = True
        raise failure

    @staticmethod
    def _task_event_kind(state):
        if state.resource_type == "lambda" and state.resource_name == "function":
            return "LambdaFunction"
        if state.resource_type == "activity":
            return "Activity"
        return "Task"

    # ------------------------------------------------------------------ Parallel and Map
    def start_parallel(self, state, frame):
        branch_input = state.flow.effective_input(frame.data, frame)
        self._event(frame, "ParallelStateStarted")
        frame.fan = Fan("parallel", len(state.branches), input=branch_input)
        return self._launch(frame, state)

    def start_map(self, state, frame):
        items = state.read_items(frame)
        if state.batching:
            items = state.batches(frame, items)
        fan = Fan("map", len(items), items=items)
        self._event(frame, "MapStateStarted", {"length": len(items)})
        fan.limit, fan.tolerated_count, fan.tolerated_percentage = state.limits(frame)
        frame.fan = fan
        if state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunStarted", {"mapRunArn": self._map_run_arn(state)})
        return self._launch(frame, state)

    def _map_run_arn(self, state) -> str:
        parts = self.execution_context["Id"].split(":")
        region, account = (parts[3], parts[4]) if len(parts) > 4 else ("us-east-1", "123456789012")
        run_id = uuid.UUID(int=self.draw_random().getrandbits(128), version=4)
        return (f"arn:aws:states:{region}:{account}:mapRun:{self.machine_context['Name']}/"
                f"{state.label or state.name}:{run_id}")

    def _launch(self, frame, state):
        """Start the next child of a fan-out (one per call, so children run in order)."""
        fan = frame.fan
        if fan.failure is None and fan.launched == fan.total and fan.running == 0:
            return self._fan_out_done(frame, state)
        if fan.failure is not None or not fan.can_launch():
            return BLOCKED
        index = fan.launched
        fan.launched += 1
        fan.running += 1
        if fan.kind == "parallel":
            child = self._new_frame(frame, index, state.branches[index], fan.input)
            child.size = size_in_bytes(fan.input)
        else:
            item = fan.items[index] if state.batching else state.select_item(frame, index, fan.items[index])
            child = self._new_frame(frame, index, state.processor, item)
            # an item taken as it is is part of the Map's input: no bigger than it
            items_from_input = state.item_selector is None and not state.batching and state.items is None
            child.size = frame.size if items_from_input else size_in_bytes(item)
            if state.mode == "DISTRIBUTED":
                child.silent = True
            else:
                # AWS links an iteration's start to the last state event of the one before
                previous, fan.after_iteration = fan.after_iteration, None
                self._event(frame, "MapIterationStarted", {"name": state.name, "index": index}, previous)
                child.last_id = frame.last_id
        fan.children.append(child.id)
        frame.resume = lambda: self._launch(frame, state)
        self._queue(frame, first=True)
        self._queue(child, first=True)
        return BLOCKED

    def _child_ended(self, child):
        parent = self.frames[child.parent]
        fan = parent.fan
        fan.running -= 1
        state = parent.machine.states[parent.state]
        iteration = fan.kind == "map" and not child.silent
        if child.status == DONE:
            fan.succeeded += 1
            if iteration:
                self._event(parent, "MapIterationSucceeded", {"name": state.name, "index": child.index}, child.last_id)
                fan.after_iteration = child.last_id
        else:
            fan.failed += 1
            if iteration:
                self._event(parent, "MapIterationFailed", {"name": state.name, "index": child.index}, child.last_id)
                fan.after_iteration = parent.last_id = child.last_id  # a failure links back past its event
            if fan.failure is None and (fan.kind == "parallel" or fan.exceeds_tolerance()):
                fan.failure = (child.error, child.cause)
                self._abort_children(parent)
        if fan.kind == "parallel" and parent.last_id < child.last_id:
            parent.last_id = child.last_id
        if fan.failure is not None and fan.running == 0:
            parent.resume = lambda: self._fan_out_failed(parent, state)
            self._queue(parent)
        elif fan.failure is None and (fan.can_launch() or fan.running == 0):
            parent.resume = lambda: self._launch(parent, state)
            self._queue(parent)

    def _fan_out_done(self, frame, state):
        fan = frame.fan
        results = [self.frames[child_id].output for child_id in fan.children]
        self._forget_children(frame)
        if fan.kind == "map" and state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunSucceeded")
        # the Exited event links where Succeeded does, to the last event before it
        last = frame.last_id
        self._event(frame, "ParallelStateSucceeded" if fan.kind == "parallel" else "MapStateSucceeded")
        frame.last_id = last
        return state.next, state.flow.output(frame.data, results, frame)

    def _fan_out_failed(self, frame, state):
        fan = frame.fan
        error, cause = fan.failure
        if fan.kind == "map" and (fan.tolerated_count is not None or fan.tolerated_percentage is not None):
            error, cause = "States.ExceedToleratedFailureThreshold", (
                "The specified tolerated failure threshold was exceeded")
        if fan.kind == "map" and state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunFailed", {k: v for k, v in (("error", error), ("cause", cause)) if v is not None})
        failure = errors.StatesError(cause, error)
        failure.verbatim = True
        failure.fan_event = "ParallelStateFailed" if fan.kind == "parallel" else "MapStateFailed"
        raise failure

    def _forget_fan(self, frame):
        if frame.fan is not None:
            self._forget_children(frame)

    def _forget_children(self, frame):
        for child_id in frame.fan.children:
            self._drop_frame(self.frames[child_id])
        frame.fan = None

    def _drop_frame(self, frame):
        if frame.fan is not None:
            self._forget_children(frame)
        del self.frames[frame.id]
        self._dirty.add(frame.id)

    def _abort_children(self, frame):
        for child_id in frame.fan.children:
            child = self.frames[child_id]
            if child.status in (RUNNING, BLOCKED_ON):
                self._abort_frame(child)
                frame.fan.running -= 1
                if frame.fan.kind == "map":
                    state = frame.machine.states[frame.state]
                    self._event(frame, "MapIterationAborted", {"name": state.name, "index": child.index})

    def _abort_frame(self, frame):
        state = frame.machine.states[frame.state]
        if frame.fan is not None:
            self._abort_children(frame)
        if frame.effect is not None:
            self.pending.pop(frame.effect, None)
            self._step.effects.append(Cancel(frame.effect))
            frame.effect = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        if frame.status == BLOCKED_ON and state.type in ("Task", "Wait", "Map", "Parallel"):
            self._event(frame, state.type + "StateAborted")
        frame.status = ABORTED
        frame.resume = None
        self._dirty.add(frame.id)

    def _abort_all(self):
        root = next((f for f in self.frames.values() if f.parent is None), None)
        if root is not None and root.status in (RUNNING, BLOCKED_ON):
            self._abort_frame(root)
        for frame in self.frames.values():
            for timer_id in list(frame.timers):
                self._cancel_timer(frame, timer_id)

    # ------------------------------------------------------------------ events, timers, the end
    def _event(self, frame, type, details=None, previous=None):
        if frame is not None and frame.silent:
            return 0
        event_id = self.next_event_id
        self.next_event_id = event_id + 1
        if self.record_events:
            if previous is None:
                previous = frame.last_id if frame is not None else event_id - 1
            self._step.events.append(Event(event_id, previous, self.clock(), type, details))
        if frame is not None:
            frame.last_id = event_id
        if self.history_limit is not None and event_id >= self.history_limit and self.status == "RUNNING" \
                and not type.startswith("Execution"):
            self._abort_all()
            self._end_execution("ExecutionFailed", error="States.Runtime",
                                cause=f"The execution reached the maximum number of history events ({self.history_limit}).")
        return event_id

    def _effect_id(self) -> int:
        effect_id = self.next_effect_id
        self.next_effect_id += 1
        return effect_id

    def _timer(self, frame, due, purpose):
        timer_id = self._effect_id()
        frame.timers[timer_id] = (purpose, due)
        self.pending[timer_id] = frame.id
        self._step.effects.append(StartTimer(timer_id, due, purpose, frame.state))
        return timer_id

    def start_timer(self, frame, due, purpose):
        return self._timer(frame, due, purpose)

    def _cancel_timer(self, frame, timer_id):
        frame.timers.pop(timer_id, None)
        self.pending.pop(timer_id, None)
        self._step.effects.append(Cancel(timer_id))

    def _end_execution(self, type, output=None, error=None, cause=None):
        if self.status != "RUNNING":
            return
        self.status = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
                       "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}[type]
        self.output, self.error, self.cause = output, error, cause
        if type == "ExecutionSucceeded":
            details = {"output": output}
        else:
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        root = next((f for f in self.frames.values() if f.parent is None), None)
        self._event(root, type, details)
        for frame in self.frames.values():
            for timer_id in list(frame.timers):
                self._cancel_timer(frame, timer_id)


def _location(cause) -> str | None:
    """The field an expression failed in, as EvaluationFailed names it ("Output/result", "Timestamp")."""
    match = _FIELD.search(cause or "")
    return match.group(1) or match.group(2) if match else None


_FIELD = re.compile(r"specified for the field '([^']*)'|^The (\w+) field")


def new_task_token() -> str:
    """256 random bits: a task token is a credential (whoever holds it answers the task)."""
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def format_timestamp_epoch(seconds: float) -> str:
    return format_timestamp(datetime.fromtimestamp(seconds, timezone.utc))


_FRAME_FIELDS = ("id", "parent", "index", "state", "data", "status", "entering", "last_id", "entered_id",
                 "entered_at", "attempts", "retry_count", "effect", "token", "output", "error", "cause",
                 "variables", "task_input", "task_limits", "size", "silent", "entered_prev")
_FAN_FIELDS = ("kind", "total", "launched", "running", "succeeded", "failed", "limit", "tolerated_count",
               "tolerated_percentage", "items", "input", "failure", "attempt")


def _frame_record(frame) -> dict:
    record = {name: getattr(frame, name) for name in _FRAME_FIELDS}
    if isinstance(frame.variables, ChainMap):
        record["variables"] = frame.variables.maps[0]  # the frame's own scope; outer ones are their frames'
    record["machine"] = frame.machine.pointer
    record["timers"] = [[timer_id, purpose, due] for timer_id, (purpose, due) in frame.timers.items()]
    if frame.fan is not None:
        record["fan"] = {name: getattr(frame.fan, name) for name in _FAN_FIELDS}
    return record


def _frame_from_record(ex, record, scopes):
    frame = Frame(ex, record["id"], record["parent"], record["index"], scopes[record["machine"]], record["data"])
    for name in _FRAME_FIELDS:
        setattr(frame, name, record[name])
    frame.timers = {timer_id: (purpose, due) for timer_id, purpose, due in record["timers"]}
    if record.get("fan") is not None:
        fan = Fan(record["fan"]["kind"], record["fan"]["total"])
        for name in _FAN_FIELDS:
            setattr(fan, name, record["fan"][name])
        fan.failure = tuple(fan.failure) if fan.failure else None
        frame.fan = fan
    return frame
