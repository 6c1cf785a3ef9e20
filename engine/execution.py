"""A resumable execution: the scheduler, Retry/Catch, events and snapshots.

An Execution is advanced by its caller, never by itself: start() and each
answer to an effect (complete, fail, fire, heartbeat, stop) run every frame
that can run until all are blocked, and return a Step: the new history
events and the new effects to perform. A frame is one running sequence of
states: the execution itself, a Parallel branch or a Map iteration.

Frames run in a fixed order (depth first, children before their parent
resumes) so that the same definition, input, clock and seed always produce
the same history.

Slices: with a `budget`, an advance stops after that many units of work (a
state run, or a child launched by a Parallel or Map) and returns a Step with
`more` set; proceed() runs the next slice. A shell gives each execution a
slice per turn and lets others run. A snapshot taken between slices holds
the queue of runnable frames, so a restored execution proceeds exactly as
the original would have.

Deadline: the machine's TimeoutSeconds and `max_duration` (AWS's 5 minutes
for EXPRESS) end the execution TIMED_OUT: by a timer while it waits, and by
a look at the clock every CHECK_EVERY units while it works.
"""
from __future__ import annotations

import os
import re
import time
from collections import ChainMap, deque

from . import errors
from .effects import Cancel, StartTimer
from .fanout import FanOut
from .frames import ABORTED, BLOCKED_ON, DONE, FAILED, RUNNING, Frame, RandomSource, format_timestamp_epoch
from .history import Event
from .snapshots import Snapshots
from .serialize import MAX_DEPTH, PAYLOAD_LIMIT, depth_of, size_in_bytes
from .states import BLOCKED, data_limit_exceeded, matches, too_deep
from .tasks import TaskSteps, new_task_token

# Units of work between two looks at the clock (and at the slice's budget): a deadline is
# noticed within about a millisecond of busy work, and looking costs nothing measurable.
CHECK_EVERY = 256


class Step:
    """What an advance produced: history events, effects to perform, and `more`: the slice
    ended with work left, call proceed()."""

    __slots__ = ("events", "effects", "more")

    def __init__(self, events=None, effects=None, more=False):
        self.events = [] if events is None else events
        self.effects = [] if effects is None else effects
        self.more = more

    def __repr__(self):
        return f"Step(events={self.events!r}, effects={self.effects!r}, more={self.more})"


class Execution(TaskSteps, FanOut, Snapshots):
    """One run of a state machine. See the module docstring."""

    def __init__(self, machine, input, *, name="execution", execution_arn=None, state_machine_arn=None,
                 state_machine_name=None, role_arn=None, start_time=None, clock=time.time, seed=None,
                 token_factory=None, history_limit=None, redrive_count=0, record_events=True, variables=None,
                 trace=None, max_duration=None, budget=None):
        """`max_duration`: the seconds it may run whatever its TimeoutSeconds (300 for an EXPRESS
        execution, as on AWS). `budget`: units of work per advance (None: run until blocked)."""
        self.machine = machine
        self.input = input
        self.name = name
        self.clock = clock
        self.seed = seed if seed is not None else int.from_bytes(os.urandom(8))
        self.draws = 0
        self.token_factory = token_factory or new_task_token
        self.history_limit = history_limit
        self.max_duration = max_duration
        self.budget = budget
        self.deadline = None  # epoch seconds, from the TimeoutSeconds and max_duration in force
        # Event ids are always counted (causes quote them); the events themselves
        # are built only for a caller that keeps them.
        self.record_events = record_events
        self.random_source = RandomSource(self)
        self._at_history_limit = False
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
        self._unreported = 1  # frames from this id on were never in a snapshot or changes()
        self._credit = 0  # units of work left before the next look at the clock and the budget
        self._slice_left = None  # units of this slice not yet granted as credit (None: no budget)
        self._paused = False

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
        self._set_deadline(root, self.start_time)
        root.depth = depth_of(self.input)
        root.size = size_in_bytes(self.input) if root.depth <= MAX_DEPTH else PAYLOAD_LIMIT + 1
        if root.size > PAYLOAD_LIMIT:
            self._end_execution("ExecutionFailed", error="States.DataLimitExceeded", cause=(
                "The input to the execution exceeds the maximum number of bytes service limit."
                if root.depth <= MAX_DEPTH else f"The input to the execution is nested more than {MAX_DEPTH} levels "
                                                "deep, Statelight's limit for any JSON value."))
            return self._take_step()
        self._queue(root)
        return self._run()

    def complete(self, effect_id: int, result) -> Step:
        """A task answered with `result` (its raw result, before ResultSelector)."""
        frame = self._claim(effect_id, "task")
        if frame is None:
            return self._take_step()
        frame.resume = ("task_succeeded", result)
        self._queue(frame)
        return self._run()

    def fail(self, effect_id: int, error: str | None, cause: str | None) -> Step:
        """A task failed with an error name and a cause."""
        frame = self._claim(effect_id, "task")
        if frame is None:
            return self._take_step()
        frame.resume = ("task_failed", error, cause)
        self._queue(frame)
        return self._run()

    def activity_started(self, effect_id: int, worker_name: str = "") -> Step:
        """An activity worker took the task (GetActivityTask): ActivityStarted, as AWS records it."""
        frame = self.frames.get(self.pending.get(effect_id))
        if frame is not None and frame.effect == effect_id:
            self._event(frame, "ActivityStarted", {"workerName": worker_name})
        return self._take_step()

    def heartbeat(self, effect_id: int) -> Step:
        """A task reported it is alive: its heartbeat timer starts over."""
        frame_id = self.pending.get(effect_id)
        frame = self.frames.get(frame_id)
        if frame is not None and frame.effect == effect_id:
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
            self._time_out()
            return self._take_step()
        # a Wait is over, a retry is due, or a task's timeout or heartbeat ran out
        frame.resume = {"wait": ("wait_over",), "retry": ("retry",)}.get(purpose, ("task_timed_out", purpose))
        self._queue(frame)
        return self._run()

    def proceed(self) -> Step:
        """Run the next slice, after a Step with `more` (or a restore while `more` is true)."""
        return self._run()

    @property
    def more(self) -> bool:
        """Whether runnable work waits for proceed()."""
        return bool(self._ready) and self.status == "RUNNING"

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
        self._set_deadline(root, self.now())  # a redriven execution has its whole time limit again
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
            frame.resume = ("launch",)
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
        import random  # only runs that draw need it

        self.draws += 1
        return random.Random(f"{self.seed}:{self.draws}")

    # ------------------------------------------------------------------ scheduling
    def _new_frame(self, parent, index, machine, data):
        frame = Frame(self, self.next_frame_id, parent.id if parent is not None else None, index, machine, data)
        self.next_frame_id += 1
        self.frames[frame.id] = frame
        if parent is not None:
            frame.last_id = parent.last_id
            frame.depth, frame.var_depth = parent.depth, parent.var_depth
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
        """Drive the runnable frames in order until every one is blocked, or the slice ends."""
        ready = self._ready
        self._slice_left, self._credit, self._paused = self.budget, 0, False
        while ready and self.status == "RUNNING" and not self._paused:
            frame = ready.popleft()
            frame.queued = False
            if frame.status == RUNNING:
                self._drive(frame)
        if self.status != "RUNNING":
            ready.clear()
        return self._take_step()

    def _take_step(self) -> Step:
        step, self._step = self._step, Step()
        step.more = bool(self._ready) and self.status == "RUNNING"
        return step

    def _checkpoint(self, frame) -> bool:
        """Every CHECK_EVERY units of work: time out at the deadline; pause at the end of the
        slice (the frame goes back to the head of the queue, where proceed() takes it up).
        True when `frame` must not run on."""
        if self.deadline is not None and self.clock() >= self.deadline:
            self._time_out()
            return True
        if self._slice_left is None:
            self._credit = CHECK_EVERY
        elif self._slice_left > 0:
            self._credit = min(CHECK_EVERY, self._slice_left)
            self._slice_left -= self._credit
        else:
            self._queue(frame, first=True)
            self._paused = True
            return True
        return False

    def _drive(self, frame):
        """Run one frame until it blocks or ends (or the slice or the time is up)."""
        states = frame.machine.states
        credit = self._credit  # a local in the hot loop, written back however the loop ends
        try:
            while True:
                if credit <= 0:
                    if self._checkpoint(frame):
                        return
                    credit = self._credit
                credit -= 1
                state = states[frame.state]
                action, frame.resume = frame.resume, None
                try:
                    if action is not None:
                        outcome = RESUMES[action[0]](self, frame, state, *action[1:])
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
                bound = state.output_bound  # the output's size and nesting from its input's, when bounded
                if bound is not None and (size := frame.size * bound[0] + bound[1]) <= PAYLOAD_LIMIT \
                        and (depth := frame.depth + bound[2]) <= MAX_DEPTH:
                    frame.size, frame.depth = size, depth
                else:
                    outcome = self._within_limits(frame, state, outcome)
                    if outcome is BLOCKED:
                        return
                next_name, output = outcome
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
        finally:
            self._credit = credit

    def _within_limits(self, frame, state, outcome):
        """The state's outcome, or the state failed (a Catch may route it) when its output passes
        the size or the nesting limit; each is measured only when its bound could pass it.
        (frame.depth bounds the nesting of the frame's data and of the variables it reads.)"""
        output = outcome[1]
        growth = state.growth
        bound = PAYLOAD_LIMIT + 1 if growth is None else frame.size * growth[0] + growth[1]
        if bound > PAYLOAD_LIMIT:
            bound = size_in_bytes(output)
            if bound > PAYLOAD_LIMIT:
                return self._past_limit(frame, state, data_limit_exceeded(state.name))
        frame.size = bound
        nesting = state.nesting
        deepest = MAX_DEPTH + 1 if nesting is None else frame.depth + nesting
        if deepest > MAX_DEPTH:
            deepest = depth_of(output)
            if deepest > MAX_DEPTH:
                return self._past_limit(frame, state, too_deep(state.name))
        frame.depth = max(deepest, frame.var_depth)
        return outcome

    def _past_limit(self, frame, state, failure):
        outcome = self._recover(frame, state, failure)
        if outcome is not BLOCKED:  # a Catch's output is measured anew
            frame.size, frame.depth = size_in_bytes(outcome[1]), max(depth_of(outcome[1]), frame.var_depth)
        return outcome

    def _enter(self, frame, state):
        frame.entering = False
        frame.entered_at = self.clock()
        frame.entered_prev = frame.last_id
        frame.assigned = None
        frame.entered_id = self._event(frame, state.entered_event, {"name": state.name, "input": frame.data},
                                       opens_run=True)
        frame.attempts = [0] * len(state.retriers) if state.retriers else None
        frame.retry_count = 0

    def _finish(self, frame, output):
        frame.status = DONE
        frame.output = output
        self._dirty.add(frame.id)
        if frame.parent is not None:  # a finished branch or iteration keeps only its result
            frame.data = frame.variables = None
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
        frame.token = None  # a task's token dies with its attempt
        error, cause = failure.error, failure.cause
        if not failure.verbatim and frame.entered_id:
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

    # ------------------------------------------------------------------ events, timers, the end
    def _event(self, frame, type, details=None, previous=None, *, opens_run=False):
        """Record an event of `frame` (None: the execution's own). `opens_run`: a *StateEntered, whose
        id names the state run the state's later events belong to."""
        if (frame is not None and frame.silent) or (self.status != "RUNNING" and not type.startswith("Execution")):
            return 0  # a DISTRIBUTED Map's iteration, or a frame still unwinding after the execution ended
        event_id = self.next_event_id
        self.next_event_id = event_id + 1
        if self.record_events:
            if previous is None:
                previous = frame.last_id if frame is not None else event_id - 1
            # the execution's own events come with no frame, or its own (the top one)
            if frame is None or (frame.parent is None and type.startswith("Execution")):
                run, path = None, ()
            else:
                run = event_id if opens_run else frame.entered_id
                path = frame.path if frame.path is not None else self.path_of(frame)
            self._step.events.append(Event(event_id, previous, self.clock(), type, details, run, path))
        if frame is not None:
            frame.last_id = event_id
            self._dirty.add(frame.id)
        if self.history_limit is not None and event_id >= self.history_limit and not self._at_history_limit \
                and not type.startswith("Execution"):
            self._at_history_limit = True  # aborting records events too: only once
            self._abort_all()
            self._end_execution("ExecutionFailed", error="States.Runtime",
                                cause=f"The execution reached the maximum number of history events ({self.history_limit}).")
        return event_id

    def path_of(self, frame) -> tuple:
        """Where a frame runs: ((its container's state run, branch or iteration index), ...), the
        outermost first; () for the execution's own frame. It holds for the frame's life: its
        container stays in one state run (a Parallel or Map entered once) until the frame ends."""
        if frame.path is None:
            parent = self.frames[frame.parent] if frame.parent is not None else None
            frame.path = () if parent is None else self.path_of(parent) + ((parent.entered_id, frame.index),)
        return frame.path

    def _effect_id(self) -> int:
        effect_id = self.next_effect_id
        self.next_effect_id += 1
        return effect_id

    def _timer(self, frame, due, purpose):
        timer_id = self._effect_id()
        frame.timers[timer_id] = (purpose, due)
        self._dirty.add(frame.id)
        self.pending[timer_id] = frame.id
        self._step.effects.append(StartTimer(timer_id, due, purpose, frame.state))
        return timer_id

    def start_timer(self, frame, due, purpose):
        return self._timer(frame, due, purpose)

    def _cancel_timer(self, frame, timer_id):
        frame.timers.pop(timer_id, None)
        self._dirty.add(frame.id)
        self.pending.pop(timer_id, None)
        self._step.effects.append(Cancel(timer_id))

    def _set_deadline(self, root, since):
        """The execution's deadline: the earlier of its TimeoutSeconds and max_duration from `since`."""
        limits = [s for s in (self.machine.timeout_seconds, self.max_duration) if s]
        if limits:
            self.deadline = since + min(limits)
            self._timer(root, self.deadline, "execution_timeout")

    def _time_out(self):
        """The deadline passed: "if a state machine runs longer than the specified TimeoutSeconds value,
        the execution fails with a States.Timeout error" (status TIMED_OUT, an ExecutionTimedOut event);
        AWS ends an EXPRESS execution at 5 minutes the same way.
        https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"""
        timeout = self.machine.timeout_seconds
        if timeout and (not self.max_duration or timeout <= self.max_duration):
            cause = f"The execution ran longer than the state machine's TimeoutSeconds ({timeout} s)."
        else:
            cause = f"The execution ran longer than its maximum duration ({self.max_duration:g} s)."
        self._abort_all()
        self._end_execution("ExecutionTimedOut", error="States.Timeout", cause=cause)

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


# What a frame does when it runs again after waiting: frame.resume is (name, *arguments),
# plain data, so that a snapshot taken between slices holds it; each runs as fn(ex, frame, state, *arguments).
RESUMES = {
    "task_succeeded": TaskSteps._task_succeeded,
    "task_failed": TaskSteps._task_failed,
    "task_timed_out": TaskSteps._task_timed_out,
    "wait_over": lambda ex, frame, state: state.on_timer(ex, frame, "wait"),
    "retry": lambda ex, frame, state: state.run(ex, frame),
    "launch": FanOut._launch,
    "fan_out_failed": FanOut._fan_out_failed,
}


def _location(cause) -> str | None:
    """The field an expression failed in, as EvaluationFailed names it ("Output/result", "Timestamp")."""
    match = _FIELD.search(cause or "")
    return match.group(1) or match.group(2) if match else None


_FIELD = re.compile(r"specified for the field '([^']*)'|^The (\w+) field")
