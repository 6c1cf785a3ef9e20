"""Run an execution to its end in this process, performing effects inline.

The imperative shell for the CLI and tests: tasks are answered by a mock
test case or a Python handler, timers elapse on a real clock (or at once
with fast_time). The durable runtime in designer/ is the other shell.
"""
from __future__ import annotations

import heapq
import time
from collections import deque

from .effects import Cancel, InvokeTask, StartTimer
from .execution import Execution
from .handlers import TaskContext, call_handler, default_registry


class Result:
    """How a run ended: status, output, error, cause, and the history events (when kept)."""

    def __init__(self, status: str, output=None, error: str | None = None, cause: str | None = None, history=None):
        self.status, self.output, self.error, self.cause = status, output, error, cause
        self.history = [] if history is None else history

    def __repr__(self):
        return f"Result(status={self.status!r}, error={self.error!r})"

    def to_dict(self, history=False) -> dict:
        result = {"status": self.status, "output": self.output, "error": self.error, "cause": self.cause}
        if history:
            result["history"] = [event.to_dict() for event in self.history]
        return result


class VirtualClock:
    """Time that moves only when told to: Wait and Retry intervals elapse instantly (tests' clock)."""

    def __init__(self, start=None):
        self.now = time.time() if start is None else start

    def __call__(self):
        return self.now

    def skip_to(self, moment):
        self.now = max(self.now, moment)


class FastClock(VirtualClock):
    """Real time, except that waiting is skipped: Wait and Retry intervals elapse at once, while the
    work in between takes the time it takes, so a deadline still comes (--fast-time). Reading it
    costs no system call: drive() brings it up to date before each slice of work."""

    def __init__(self, now=None):
        self._real = now or time.time
        self.skipped = 0.0
        super().__init__(self._real())

    def refresh(self):
        self.now = max(self.now, self._real() + self.skipped)

    def skip_to(self, moment):
        self.refresh()
        if moment > self.now:
            self.skipped += moment - self.now
            self.now = moment


def run(machine, input, *, registry=None, mock_case=None, fast_time=False, clock=None, keep_history=False,
        **execution_options) -> Result:
    """Run `machine` (a parsed Machine) on `input` until it ends (or its deadline, see Execution)."""
    if clock is None:
        clock = FastClock() if fast_time else time.time
    registry = registry or default_registry
    execution_options.setdefault("budget", SLICE)  # in slices from the start: see drive()
    execution = Execution(machine, input, clock=clock, record_events=keep_history, **execution_options)
    history = [] if keep_history else None
    ending = drive(execution, execution.start(), lambda effect: _perform(execution, effect, registry, mock_case),
                   clock=clock, on_events=history.extend if history is not None else None)
    if ending == STALLED:
        step = execution.stop("Statelight.Stalled", "The execution waits for a callback or activity that nothing in "
                                                    "this process will answer.")
        if history is not None:
            history.extend(step.events)
    return Result(execution.status, execution.output, execution.error, execution.cause, history or [])


ENDED, STALLED, DEADLINE = "ended", "stalled", "deadline"

# Units of work per slice when drive() runs an execution that has no budget of its own.
SLICE = 10_000


def drive(execution, step, answer, *, clock=time.time, sleep=time.sleep, on_events=None, deadline=None) -> str:
    """Perform an execution's effects in this thread until it ends: each task by answer(effect) -> Step,
    timers in due order (waiting for them on a real clock; a clock with skip_to() jumps to them).

    The execution runs in slices (its `budget`, else SLICE units from here on: create it with a
    budget so that `step`, its first advance, is a slice too), so events reach `on_events` as they
    come and `deadline` (epoch seconds) is seen even while it works without pause; the execution's
    own deadline (TimeoutSeconds, max_duration) ends it TIMED_OUT. Holds only what is outstanding:
    memory stays flat however long it runs.
    Returns ENDED, STALLED (it waits for something nothing here answers) or DEADLINE (`deadline`
    passed, or its next timer falls after it)."""
    if execution.budget is None:
        execution.budget = SLICE
    timers = []  # heap of (due, id), cancelled ones included until they surface
    live_timers = set()
    work = deque()  # tasks to answer, in the order they were asked for
    open_tasks = set()
    more = False
    skip_to = getattr(clock, "skip_to", None)
    refresh = getattr(clock, "refresh", lambda: None)

    def take(step):
        nonlocal more, timers
        more = step.more
        if on_events is not None:
            on_events(step.events)
        for effect in step.effects:
            if isinstance(effect, StartTimer):
                heapq.heappush(timers, (effect.due, effect.id))
                live_timers.add(effect.id)
            elif isinstance(effect, Cancel):
                live_timers.discard(effect.id)
                open_tasks.discard(effect.id)
            else:
                work.append(effect)
                open_tasks.add(effect.id)
        if len(timers) > 2 * len(live_timers) + 64:  # a loop that cancels its timers: drop them
            timers = [entry for entry in timers if entry[1] in live_timers]
            heapq.heapify(timers)

    take(step)
    while execution.status == "RUNNING":
        refresh()
        if deadline is not None and clock() >= deadline:
            return DEADLINE
        if more:
            take(execution.proceed())
        elif work:
            effect = work.popleft()
            if effect.id in open_tasks:
                open_tasks.discard(effect.id)
                take(answer(effect))
        else:
            while timers and timers[0][1] not in live_timers:
                heapq.heappop(timers)
            if not timers:
                return STALLED
            due, timer_id = heapq.heappop(timers)
            live_timers.discard(timer_id)
            if deadline is not None and due > deadline:
                return DEADLINE
            if skip_to is not None:
                skip_to(due)
            else:
                delay = due - clock()
                if delay > 0:
                    sleep(delay)
            take(execution.fire(timer_id))
    return ENDED


def _perform(execution, effect: InvokeTask, registry, mock_case):
    """Answer one task: from the mock test case, else a registered handler."""
    if mock_case is not None and mock_case.mocks(effect.state):
        response = mock_case.next_response(effect.state)
        if "Return" in response:
            return execution.complete(effect.id, response["Return"])
        thrown = response["Throw"]
        return execution.fail(effect.id, thrown.get("Error"), thrown.get("Cause"))
    handler = registry.find(effect.resource, effect.input)
    if handler is None:
        return execution.fail(effect.id, "States.TaskFailed", unanswered_cause(effect.resource, effect.input))
    context = TaskContext(execution.execution_context["Id"], effect.state, effect.attempt, effect.token, effect.context)
    outcome = call_handler(handler, effect.resource, effect.input, context)
    if outcome[0] == "ok":
        return execution.complete(effect.id, outcome[1])
    return execution.fail(effect.id, outcome[1], outcome[2])


def unanswered_cause(resource: str, task_input) -> str:
    target = resource
    if isinstance(task_input, dict) and "FunctionName" in task_input and resource.startswith("arn:aws:states:::lambda"):
        target = f"{resource} (FunctionName {task_input['FunctionName']})"
    return (f"Nothing answers the resource {target}: register a handler with @engine.task_handler(...) "
            "or choose a mock test case that covers this state.")
