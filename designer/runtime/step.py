"""One step of one execution: the engine advanced from its inbox, and what to store.

_Computation restores the engine (from this worker's memory when the stored
revision is the one it wrote last, else from ExecutionState.engine_state and the
ExecutionFrame rows) or creates it on the START item, applies the inbox in
order (start, complete, fail, fire, heartbeat, stop, redrive; the engine
drops late and unknown answers), fires the timers that are due, answers
mocked tasks on the spot, and returns a Write: everything the step stores.
It only reads the database; designer/runtime/store.py writes.
"""
from __future__ import annotations

import collections
import functools
import json
import logging
import time
from dataclasses import dataclass, field

import engine
from designer import access, arns
from designer.models import Activity, Effect, Execution, ExecutionFrame, InboxItem, StateMachine, TaskToken, envelope
from designer.resources import TaskRequest, mocks, stored_payload
from engine.effects import Cancel, InvokeTask, StartTimer
from engine.errors import InvalidDefinition
from engine.history import Event, aws_event, wire_details
from engine.serialize import to_json
from engine.tasks import new_task_token

from . import children, limits, publish, signals
from .columns import adapters, to_datetime
from .engines import Loaded, parse_definition

log = logging.getLogger(__name__)

RUNNING = Execution.RUNNING
CLOSED_STATUSES = (Execution.SUCCEEDED, Execution.FAILED, Execution.TIMED_OUT, Execution.ABORTED)
# The event that closes an execution's history, by the status it ends with.
CLOSING_EVENTS = {Execution.SUCCEEDED: "ExecutionSucceeded", Execution.FAILED: "ExecutionFailed",
                  Execution.TIMED_OUT: "ExecutionTimedOut", Execution.ABORTED: "ExecutionAborted"}


# --- what a step leaves for the caller -------------------------------------

@dataclass
class Advanced:
    execution_id: int
    status: str
    events: list = field(default_factory=list)  # GetExecutionHistory-shaped dicts
    tasks: list = field(default_factory=list)  # TaskRequests claimed for this worker to perform
    ended: bool = False
    more: bool = False  # its slice ended with work left: it wants another turn


class Answer:
    """A task's answer held in memory by the worker that performed it, applied like an InboxItem
    (a crash before the step is stored loses it, and the task runs again: it was in flight)."""

    __slots__ = ("kind", "effect_id", "result", "error", "cause", "pk")

    def __init__(self, kind, effect_id, result=None, error=None, cause=None):
        self.kind, self.effect_id, self.result, self.error, self.cause = kind, effect_id, result, error, cause
        self.pk = None


class Write:
    """What one step stores, applied by write_batch() only if the execution's row still has the
    lease owner and revision the step was computed from."""

    def __init__(self, row, result):
        self.execution_id = row.pk
        self.revision = row.runtime_state.revision
        self.state_fields = {}  # ExecutionState columns (the guarded row)
        self.execution_fields = {}  # Execution columns, when the status changes
        self.history = []
        self.frames = []
        self.dropped_frames = []
        self.gone_effects = ()  # effect ids; ALL for every effect of the execution
        self.effects = []
        self.tokens = []
        self.closed_tokens = ()  # effect ids; ALL for every open token of the execution
        self.inbox_done = []
        self.inbox_new = []
        self.tasks = []  # (TaskRequest, Effect row) claimed for this worker
        self.after = None  # run after commit
        self.keep = None  # the engine to remember (engines.Loaded), or None to forget it
        self.result = result

    def stored(self):
        """After the rows are written: the tasks claimed for this worker, with their Effect pks."""
        for task, record in self.tasks:
            task.effect_pk = record.pk
        self.result.tasks = [task for task, _ in self.tasks]


ALL = "all"


def compute(row, items, worker_id, *, clock, cache=None, claim_tasks=0, lease_seconds=30.0) -> Write:
    """Advance the engine of an execution whose lease this worker holds; what to store. Reads only."""
    return _Computation(row, items, worker_id, clock, cache, claim_tasks, lease_seconds).run()


class _Computation:
    """One advance of one execution (see the module docstring)."""

    def __init__(self, row, items, worker_id, clock, cache, claim_tasks, lease_seconds):
        self.row = row
        self.state = row.runtime_state
        self.items = items
        self.worker_id = worker_id
        self.clock = clock
        self.cache = cache
        self.claim_budget = claim_tasks
        self.lease_seconds = lease_seconds
        self.engine = None
        self.mock = None
        self.mock_used = False
        self.events = []
        self.new_effects = {}  # effect id -> engine effect, issued in this step
        self.cancelled = set()
        self.consumed = set()  # effect ids answered by inbox items or fired
        self.inline = collections.deque()  # InvokeTasks answered here (mocks, activities it may not use)
        self.activities = {}  # activity ARN -> (Activity pk, None) or (None, (error, cause)): none it may use
        self.timers_changed = False
        self.redriven = False
        # how many events its stored history may hold (an EXPRESS execution's first ones), or None
        self.kept = limits.EXPRESS_HISTORY_EVENTS if row.type == StateMachine.EXPRESS else None

    # -- 1. the engine
    def run(self) -> Write:
        row = self.row
        starting = any(item.kind == InboxItem.START for item in self.items)
        redriving = any(item.kind == InboxItem.REDRIVE for item in self.items)
        if row.status != RUNNING and not redriving:
            return self._drop_inbox()
        loaded = self.cache.get(row.pk, self.state.revision) if self.cache is not None else None
        if loaded is not None:
            self.engine, self.mock = loaded.engine, loaded.mock
        elif self.state.revision or not starting:
            if not self._restore():
                return self._drop_inbox()
        try:
            began = time.perf_counter()
            self._apply()
            if self.engine is not None and self.engine.more:
                self.engine.budget = limits.next_budget(self.engine.budget, time.perf_counter() - began)
        except InvalidDefinition as e:
            return self._refuse_to_start(e)
        except Exception as e:  # an engine bug: fail this execution, not the worker, and not forever
            log.exception("execution %s could not be advanced", row.arn)
            return self._crashed(e)
        if self.engine is None:
            return self._drop_inbox()
        return self._write()

    def _heavy(self, *names):
        heavy = getattr(self.row, "heavy", None)
        if heavy is not None:
            return tuple(heavy[name] for name in names)
        columns = {"engine_state": "runtime_state__engine_state"}
        return Execution.objects.filter(pk=self.row.pk).values_list(*(columns.get(n, n) for n in names)).get()

    def _restore(self) -> bool:
        definition, input_text, state = self._heavy("definition", "input", "engine_state")
        if not state:
            return False
        frames = {str(frame_id): record for frame_id, record in
                  ExecutionFrame.objects.filter(execution_id=self.row.pk).values_list("frame_id", "record")}
        machine = parse_definition(definition)
        record = state["execution"]
        # the input is stored once, in Execution.input (see _engine_record)
        record["execution_context"] = {**record["execution_context"], "Input": json.loads(input_text)}
        self.engine = engine.Execution.restore(machine, {**state, "frames": frames}, clock=self.clock)
        self.engine.budget = limits.FIRST_SLICE
        self.engine.record_events = self.kept is None or self.state.last_event_id < self.kept
        self.mock = self._mock_case(self.engine.machine_context["Name"])
        return True

    def _create(self, item):
        definition, input_text = self._heavy("definition", "input")
        start = item.result or {}
        machine = parse_definition(definition)
        row = self.row
        express = row.type == StateMachine.EXPRESS
        self.engine = engine.Execution(
            machine, json.loads(input_text), name=row.name, execution_arn=row.arn,
            state_machine_arn=start.get("state_machine_arn"), state_machine_name=start.get("state_machine_name"),
            role_arn=start.get("role_arn"), start_time=row.started_at.timestamp(), clock=self.clock,
            history_limit=None if express else limits.HISTORY_LIMIT, redrive_count=row.redrive_count,
            max_duration=limits.express_max_seconds() if express else None, budget=limits.FIRST_SLICE)
        self.mock = self._mock_case(self.engine.machine_context["Name"])

    def _mock_case(self, machine_name):
        if not self.row.mock_test_case:
            return None
        try:
            return mocks.case_for(self.row.mock_test_case, machine_name, self.state.mock_calls)
        except mocks.MockConfigError as e:
            return _BrokenMock(str(e))

    # -- 2. the inbox, then the due timers
    def _apply(self):
        for item in self.items:
            kind = item.kind
            if kind == InboxItem.START:
                if self.engine is None:  # else started already: a START stored twice
                    self._create(item)
                    self._take(self.engine.start())
                    self._answer_inline()
                continue
            ex = self.engine
            if ex is None:
                continue
            if kind == InboxItem.COMPLETE:
                self.consumed.add(item.effect_id)
                self._take(ex.complete(item.effect_id, item.result))
            elif kind == InboxItem.FAIL:
                self.consumed.add(item.effect_id)
                self._take(ex.fail(item.effect_id, item.error, item.cause))
            elif kind == InboxItem.FIRE:
                self.consumed.add(item.effect_id)
                self._take(ex.fire(item.effect_id))
            elif kind == InboxItem.HEARTBEAT:
                self._take(ex.heartbeat(item.effect_id))
            elif kind == InboxItem.STOP:
                self._take(ex.stop(item.error, item.cause))
            elif kind == InboxItem.STARTED:  # a worker took an activity task (tokens.claim_activity_task)
                self._take(ex.activity_started(item.effect_id, (item.result or {}).get("workerName", "")))
            elif kind == InboxItem.REDRIVE:
                if ex.status in CLOSED_STATUSES and ex.status != Execution.SUCCEEDED:
                    self.redriven = True
                    self._take(ex.redrive())
            self._answer_inline()
        if self.engine is not None:
            self._fire_due_timers()
            if self.engine.more:  # its turn: one slice more than its inbox asked for
                self._take(self.engine.proceed())
                self._answer_inline()

    def _fire_due_timers(self):
        """Fire the timers due now: those stored (the execution was woken for them) and those this
        step started (a Wait of 0 s goes on in the same step: nothing outside can tell)."""
        now = self.clock()
        wake_at = self.state.wake_at
        if (wake_at is None or wake_at.timestamp() > now) and not any(
                isinstance(effect, StartTimer) and effect.due <= now for effect in self.new_effects.values()):
            return
        for due, timer_id in self._timers():
            if due > now:
                break
            if timer_id in self.engine.pending:  # an earlier firing may have cancelled it
                self.consumed.add(timer_id)
                self._take(self.engine.fire(timer_id))
                self._answer_inline()
        self.timers_changed = True

    def _timers(self):
        """(due, timer id) of every outstanding timer, earliest first."""
        ex = self.engine
        timers = []
        for effect_id, frame_id in ex.pending.items():
            frame = ex.frames.get(frame_id)
            timer = frame.timers.get(effect_id) if frame is not None else None
            if timer is not None:
                timers.append((timer[1], effect_id))
        timers.sort()
        return timers

    def _take(self, step):
        self._keep(step.events)
        for effect in step.effects:
            if isinstance(effect, StartTimer):
                self.new_effects[effect.id] = effect
                self.timers_changed = True
            elif isinstance(effect, Cancel):
                if self.new_effects.pop(effect.id, None) is None:
                    self.cancelled.add(effect.id)
                self.timers_changed = True
            elif isinstance(effect, InvokeTask):
                if self.mock is not None and self.mock.mocks(effect.state):
                    self.inline.append(effect)
                elif _is_activity(effect.resource) and self._activity(effect.resource)[0] is None:
                    self.inline.append(effect)
                else:
                    self.new_effects[effect.id] = effect

    def _keep(self, events):
        """The events to store: all of them, but for an EXPRESS execution only its first ones (AWS
        keeps no history for Express): past them its engine records none (its memory stays flat)."""
        if self.kept is not None:
            room = self.kept - self.state.last_event_id - len(self.events)
            if len(events) > room:
                events = events[:max(room, 0)]
                self.engine.record_events = False
        self.events.extend(events)

    def _closing_event(self):
        """The event that closes a history whose engine stopped recording (an EXPRESS execution past
        its kept events): numbered right after the last one kept, so the stored history has no hole."""
        ex = self.engine
        last = self.events[-1].id if self.events else self.state.last_event_id
        details = {"output": ex.output} if ex.status == Execution.SUCCEEDED else {
            key: value for key, value in (("error", ex.error), ("cause", ex.cause)) if value is not None}
        self.events.append(Event(last + 1, last, self.clock(), CLOSING_EVENTS[ex.status], details))

    def _answer_inline(self):
        ex = self.engine
        while self.inline:
            effect = self.inline.popleft()
            if effect.id not in ex.pending:
                continue  # cancelled in the same step
            if self.mock is not None and self.mock.mocks(effect.state):
                self.mock_used = True
                outcome = mocks.answer(self.mock, effect.state)
            else:
                outcome = ("error", *self._activity(effect.resource)[1])
            if outcome[0] == "ok":
                self._take(ex.complete(effect.id, outcome[1]))
            else:
                self._take(ex.fail(effect.id, outcome[1], outcome[2]))

    def _activity(self, arn):
        """(its pk, None) for an activity this execution's owner may use; else (None, (error, cause))."""
        if arn not in self.activities:
            found = Activity.objects.filter(arn=arn).values_list("pk", "owner_id").first()
            if found is None:
                self.activities[arn] = None, ("States.Runtime", f"The activity {arn} does not exist.")
            elif not access.task_may_use_activity(getattr(self.row, "machine_owner", None), found[1]):
                # a definition stored before designer/definitions.py refused other accounts' activities
                self.activities[arn] = None, ("AccessDeniedException", (
                    f"The state machine's owner may not use the activity {arn}: it is another account's."))
            else:
                self.activities[arn] = found[0], None
        return self.activities[arn]

    # -- 3. what to store
    def _write(self) -> Write:
        row, ex = self.row, self.engine
        now = self.clock()
        changes = ex.changes()
        pending = ex.pending
        new_effects = {i: e for i, e in self.new_effects.items() if i in pending}
        status = ex.status
        ended = status != RUNNING and (row.status == RUNNING or self.redriven)
        if ended and not ex.record_events:
            self._closing_event()
        result = Advanced(row.pk, status, ended=ended, more=ex.more)
        write = Write(row, result)
        _, adapt_json = adapters()

        write.history, result.events = self._history()
        for frame_id, record in changes["frames"].items():
            if record is None:
                write.dropped_frames.append(int(frame_id))
            else:
                write.frames.append((row.pk, int(frame_id), adapt_json(record)))
        write.gone_effects = (self.consumed | self.cancelled) - pending.keys() - self.new_effects.keys()
        write.effects, write.tokens, write.tasks, activity_ids = self._effect_rows(new_effects, now)
        write.inbox_done = [item.pk for item in self.items if item.pk is not None]

        fields = write.state_fields
        fields.update(engine_state=_engine_record(changes),
                      last_event_id=self.events[-1].id if self.events else self.state.last_event_id,
                      revision=self.state.revision + 1, lease_owner="", lease_expires_at=None)
        if result.more:  # wanted again at once, also after a restart
            fields["wake_at"] = to_datetime(now)
        elif self.timers_changed or ended:
            timers = self._timers() if status == RUNNING else []
            fields["wake_at"] = to_datetime(timers[0][0]) if timers else None
        if self.mock_used:
            fields["mock_calls"] = dict(self.mock.calls)
        if ended or self.redriven:
            write.execution_fields.update(
                status=status, output=to_json(ex.output) if status == Execution.SUCCEEDED else None,
                error=ex.error, cause=ex.cause,
                stopped_at=self._stopped_at() if ended else None)

        if self.cancelled:
            write.closed_tokens = self.cancelled
            write.inbox_new += children.stop_children(row.pk, self.cancelled)
        if ended and row.parent_id and row.parent_wait and row.parent_effect_id is not None:
            write.inbox_new.append(children.answer_for_parent(row, ex, status, self._stopped_at()))
        enqueued = bool(write.inbox_new)
        write.after = lambda: self._after_commit(result.events, status, ended, activity_ids, enqueued)
        write.keep = Loaded(self.state.revision + 1, ex, self.mock) if status == RUNNING else None
        return write

    def _stopped_at(self):
        return to_datetime(self.events[-1].timestamp) if self.events else to_datetime(self.clock())

    def _history(self):
        """The step's events as HistoryEvent rows (store.HISTORY_COLUMNS' order), and as the envelopes
        published after commit: made of the same values, by the function a replay from the store
        uses (HistoryEvent.envelope()), so viewers are sent exactly what was stored."""
        rows, envelopes = [], []
        execution_id = self.row.pk
        adapt_time, adapt_json = adapters()
        for event in self.events:
            details = wire_details(event.details) if event.details is not None else None
            moment = to_datetime(event.timestamp)  # the stored precision (microseconds)
            opens_run = event.run == event.id
            path = [list(step) for step in event.path] if opens_run else None  # the run's, once
            rows.append((execution_id, event.id, event.previous_id, adapt_time(moment), event.type, adapt_json(details),
                         event.run, adapt_json(path), event.details["name"] if opens_run else None))
            envelopes.append(envelope(aws_event(event.id, event.previous_id, moment.timestamp(), event.type, details),
                                      event.run, path))
        return rows, envelopes

    def _effect_rows(self, new_effects, now):
        row = self.row
        effects, tokens, tasks, activity_ids = [], [], [], []
        claimed_until = to_datetime(now + self.lease_seconds)
        for effect in new_effects.values():
            if isinstance(effect, StartTimer):
                effects.append(Effect(execution_id=row.pk, effect_id=effect.id, kind=Effect.TIMER, state=Effect.WAITING,
                                      payload={"purpose": effect.purpose, "state": effect.state},
                                      due_at=to_datetime(effect.due), key=f"{row.arn}/timer/{effect.id}"))
                continue
            record = Effect(execution_id=row.pk, effect_id=effect.id, kind=Effect.TASK, payload=stored_payload(effect),
                            key=effect.key)
            if _is_activity(effect.resource):
                record.state = Effect.WAITING
                activity_id = self._activity(effect.resource)[0]
                activity_ids.append(activity_id)
                tokens.append(TaskToken(token=new_task_token(), kind=TaskToken.ACTIVITY, execution_id=row.pk,
                                        effect_id=effect.id, state_name=effect.state, activity_id=activity_id,
                                        input=to_json(effect.input)))
            else:
                if effect.pattern == "wait_for_task_token" and effect.token:
                    tokens.append(TaskToken(token=effect.token, kind=TaskToken.CALLBACK, execution_id=row.pk,
                                            effect_id=effect.id, state_name=effect.state, input=to_json(effect.input)))
                if self.claim_budget > 0:
                    self.claim_budget -= 1
                    record.state, record.claimed_by, record.claimed_until = (
                        Effect.RUNNING, self.worker_id, claimed_until)
                    tasks.append((TaskRequest.from_effect(effect, execution_id=row.pk, worker_id=self.worker_id,
                                                          owner_id=getattr(row, "machine_owner", None)), record))
            effects.append(record)
        return effects, tokens, tasks, activity_ids

    def _after_commit(self, published, status, ended, activity_ids, others_enqueued):
        row = self.row
        listed_anew = ended or self.redriven or (self.events and self.events[0].type == "ExecutionStarted")
        summary = (lambda: row.summary(status=status, stopped_at=self._stopped_at())) if listed_anew else None
        publish.step_stored(row.pk, published, row.machine_id, summary)
        signals.execution_changed()
        if activity_ids:
            signals.activities_ready([pk for pk in activity_ids if pk is not None])
        if others_enqueued:
            signals.work_available()

    # -- the ends that are not steps
    def _drop_inbox(self) -> Write:
        """Late answers to a closed execution (or nothing to run): drop them, free the lease."""
        row = self.row
        write = Write(row, Advanced(row.pk, row.status))
        write.inbox_done = [item.pk for item in self.items if item.pk is not None]
        write.state_fields = {"lease_owner": "", "lease_expires_at": None}
        write.keep = self.cache.get(row.pk, self.state.revision) if self.cache is not None else None
        return write

    def _closing(self, events, error, cause) -> Write:
        """End the execution FAILED outside the engine: `events` close its history."""
        row = self.row
        self.events = events
        now = events[-1].timestamp
        result = Advanced(row.pk, Execution.FAILED, ended=True)
        write = Write(row, result)
        write.history, result.events = self._history()
        write.state_fields = {"wake_at": None, "last_event_id": events[-1].id, "revision": self.state.revision + 1,
                              "lease_owner": "", "lease_expires_at": None}
        write.execution_fields = {"status": Execution.FAILED, "error": error, "cause": cause,
                                  "stopped_at": to_datetime(now)}
        write.gone_effects = ALL
        write.closed_tokens = ALL
        write.inbox_done = [item.pk for item in self.items if item.pk is not None]
        write.after = lambda: self._after_commit(result.events, Execution.FAILED, True, [], False)
        return write

    def _refuse_to_start(self, problem: InvalidDefinition) -> Write:
        """The stored definition does not compile (it was stored around the validator): the
        execution fails at once, with the two events AWS would show."""
        now = self.clock()
        cause = "The state machine definition is invalid: " + "; ".join(
            f"{p.location}: {p.message}" for p in getattr(problem, "problems", [])[:10])
        return self._closing([Event(1, 0, now, "ExecutionStarted", {"input": None, "roleArn": ""}),
                              Event(2, 1, now, "ExecutionFailed", {"error": "States.Runtime", "cause": cause})],
                             "States.Runtime", cause)

    def _crashed(self, error: Exception) -> Write:
        """The engine raised: end the execution FAILED with one closing event after the stored ones."""
        last = self.state.last_event_id
        cause = f"Statelight could not advance this execution: {type(error).__name__}: {error}"
        return self._closing([Event(last + 1, last, self.clock(), "ExecutionFailed",
                                    {"error": "States.Runtime", "cause": cause})], "States.Runtime", cause)


def _engine_record(changes) -> dict:
    """The engine's execution record as stored: without the input, which never changes and is
    already in Execution.input (up to 256 KiB written once, not at every step)."""
    record = changes["execution"]
    context = {key: value for key, value in record["execution_context"].items() if key != "Input"}
    return {"format": changes["format"], "execution": {**record, "execution_context": context}}


@functools.lru_cache(maxsize=1024)  # a machine's few resources, asked of every task it runs
def _is_activity(resource: str) -> bool:
    parsed = arns.parse(resource)
    return parsed is not None and parsed["kind"] == "activity"


class _BrokenMock:
    """The execution asked for a mock test case that cannot be loaded any more: every task fails
    with the reason instead of reaching a real resource."""

    def __init__(self, reason):
        self.reason = reason
        self.calls = {}

    def mocks(self, state_name):
        return True

    def next_response(self, state_name):
        raise mocks.MockConfigError(self.reason)
