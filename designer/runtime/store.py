"""advance(): one step of one execution, from its inbox to the store, in ONE transaction.

The durable shell around the engine's functional core (engine/runner.py is
the inline one). Whoever advances an execution first takes its lease (a
conditional UPDATE; SKIP LOCKED where PostgreSQL has it), then:

1. restores the engine: from this worker's memory when the stored revision
   is the one it wrote last, else from Execution.engine_state + one
   ExecutionFrame row per engine frame; or creates it on the START item;
2. applies the inbox in id order (start, complete, fail, fire, heartbeat,
   stop, redrive; the engine drops late and unknown answers), then fires the
   timers that are due; mocked tasks are answered on the spot;
3. in one transaction: appends the history events, upserts/deletes frame
   rows, updates the execution (engine record, status, output, wake-up time,
   revision) only if it still holds the lease at the revision it read,
   creates/deletes Effect rows (tasks, timers) and task tokens, deletes the
   consumed inbox items, and answers a waiting parent (states:startExecution
   .sync) when the execution ends;
4. after commit: publishes the events and wakes whoever waits.

So a step is stored whole or not at all: a worker killed anywhere leaves the
store at the previous step, with the answers still in the inbox.
"""
from __future__ import annotations

import collections
import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from django.db import connection, transaction
from django.db.models import F, Q

import engine
from designer import arns
from designer.models import (
    Activity, Effect, Execution, ExecutionFrame, HistoryEvent, InboxItem, StateMachine, TaskToken,
)
from designer.resources import TaskRequest, mocks
from engine.effects import Cancel, InvokeTask, StartTimer
from engine.errors import InvalidDefinition
from engine.history import DETAILS_KEY, Event, wire_details
from engine.serialize import to_json

from . import publish, signals

log = logging.getLogger(__name__)

# AWS fails a STANDARD execution at 25,000 history events.
HISTORY_LIMIT = 25_000
DEFAULT_LEASE_SECONDS = 30.0
RUNNING = Execution.RUNNING
CLOSED_STATUSES = (Execution.SUCCEEDED, Execution.FAILED, Execution.TIMED_OUT, Execution.ABORTED)

# Execution columns a step reads; the big ones are read only to restore or start.
_HEAVY = ("definition", "input", "output", "error", "cause", "engine_state")


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


class LeaseLost(Exception):
    """Another worker took the execution over (or wrote a newer revision) while we advanced it."""


class RuntimeExecution(engine.Execution):
    """engine.Execution with workarounds for two engine bugs (reported to the lead; remove
    each once the engine has its fix):

    1. schedule_task evaluates a .waitForTaskToken task's Parameters once before it makes
       the token, so `$$.Task.Token` fails with States.Runtime. A token set beforehand lets
       that first evaluation pass; the engine then makes the real token and evaluates again.
    2. changes() misses frames changed without being queued: a Parallel/Map parent whose
       child ended (fan counters, last event id), a frame whose heartbeat timer restarted.
       Restored from those changes, a Parallel never ends. Every frame an event, a timer or a
       child touches is marked written here.
    """

    def schedule_task(self, state, frame):
        if state.pattern == "wait_for_task_token" and frame.token is None:
            frame.token = "pending"
        return super().schedule_task(state, frame)

    def _child_ended(self, child):
        self._dirty.add(child.parent)
        return super()._child_ended(child)

    def _event(self, frame, type, details=None, previous=None):
        if frame is not None:
            self._dirty.add(frame.id)
        return super()._event(frame, type, details, previous)

    def _timer(self, frame, due, purpose):
        self._dirty.add(frame.id)
        return super()._timer(frame, due, purpose)

    def _cancel_timer(self, frame, timer_id):
        self._dirty.add(frame.id)
        return super()._cancel_timer(frame, timer_id)


# --- what a step leaves for the caller -------------------------------------

@dataclass
class Advanced:
    execution_id: int
    status: str
    events: list = field(default_factory=list)  # GetExecutionHistory-shaped dicts
    tasks: list = field(default_factory=list)  # TaskRequests claimed for this worker to perform
    ended: bool = False


# --- parsed machines and restored engines, kept in memory ------------------

class _LRU:
    def __init__(self, size):
        self.size = size
        self.items = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def drop(self, key):
        with self.lock:
            self.items.pop(key, None)


_machines = _LRU(256)


def parse_definition(text: str):
    """The compiled Machine of a definition (cached by its text). Raises InvalidDefinition."""
    key = hashlib.sha256(text.encode()).digest()
    machine = _machines.get(key)
    if machine is None:
        machine = engine.parse(json.loads(text))
        _machines.put(key, machine)
    return machine


class _Loaded:
    __slots__ = ("revision", "engine", "mock")

    def __init__(self, revision, ex, mock):
        self.revision, self.engine, self.mock = revision, ex, mock


class EngineCache:
    """The engines a worker advanced last, so the next step skips the restore (a 10,000-item Map
    has 10,000 frame rows: restoring them for every finished item would be quadratic). An entry
    counts only while the stored revision is the one this worker wrote."""

    def __init__(self, size=2000):
        self._lru = _LRU(size)

    def get(self, execution_id, revision):
        loaded = self._lru.get(execution_id)
        if loaded is not None and loaded.revision == revision:
            return loaded
        return None

    def put(self, execution_id, loaded):
        self._lru.put(execution_id, loaded)

    def drop(self, execution_id):
        self._lru.drop(execution_id)


# --- leases -----------------------------------------------------------------

def claim(ids, worker_id: str, *, now: float, lease_seconds: float = DEFAULT_LEASE_SECONDS, dead=()) -> list:
    """Take the lease of those executions that are free (no owner, an expired lease, an owner known
    dead); returns the ids taken. One conditional UPDATE: correct on SQLite and PostgreSQL alike."""
    if not ids:
        return []
    now_dt, until = to_datetime(now), to_datetime(now + lease_seconds)
    free = Q(lease_owner="") | Q(lease_expires_at__lt=now_dt) | Q(lease_owner=worker_id)
    if dead:
        free |= Q(lease_owner__in=list(dead))
    with transaction.atomic():
        candidates = Execution.objects.filter(id__in=list(ids)).filter(free).order_by()
        if connection.features.has_select_for_update_skip_locked:
            taken = list(candidates.select_for_update(skip_locked=True).values_list("id", flat=True))
            if taken:
                Execution.objects.filter(id__in=taken).update(lease_owner=worker_id, lease_expires_at=until)
            return taken
        # SQLite: the transaction holds the write lock from its start (IMMEDIATE), so nobody
        # claims between the UPDATE and the read-back
        candidates.update(lease_owner=worker_id, lease_expires_at=until)
        return list(Execution.objects.filter(id__in=list(ids), lease_owner=worker_id).order_by()
                    .values_list("id", flat=True))


def release(ids, worker_id: str):
    Execution.objects.filter(id__in=list(ids), lease_owner=worker_id).update(lease_owner="", lease_expires_at=None)


def load(ids, cache=None):
    """{id: execution row}, {id: [inbox items in order]}. The big columns (definition, input,
    engine record) are read in one query for the executions that need them: those starting and
    those whose engine is not in `cache`."""
    rows = {row.pk: row for row in Execution.objects.filter(id__in=list(ids)).defer(*_HEAVY).order_by()
            .annotate(machine_owner=F("machine__owner_id"))}
    items = collections.defaultdict(list)
    for item in InboxItem.objects.filter(execution_id__in=list(rows)).order_by("id"):
        items[item.execution_id].append(item)
    heavy = [pk for pk, row in rows.items() if row.status == RUNNING or items.get(pk)]
    if cache is not None:
        heavy = [pk for pk in heavy if cache.get(pk, rows[pk].revision) is None]
    if heavy:
        for pk, definition, input_text, state in Execution.objects.filter(id__in=heavy).values_list(
                "id", "definition", "input", "engine_state"):
            rows[pk].heavy = {"definition": definition, "input": input_text, "engine_state": state}
    return rows, items


# --- the step ---------------------------------------------------------------

def advance(execution_id: int, worker_id: str, *, clock=time.time, cache: EngineCache | None = None,
            claim_tasks: int = 0, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> Advanced | None:
    """Take the lease, apply the inbox and due timers, store the step. None when another worker holds it."""
    if not claim([execution_id], worker_id, now=clock(), lease_seconds=lease_seconds):
        return None
    rows, items = load([execution_id])
    row = rows.get(execution_id)
    if row is None:
        return None
    return advance_claimed(row, items.get(execution_id, []), worker_id, clock=clock, cache=cache,
                           claim_tasks=claim_tasks, lease_seconds=lease_seconds)


def advance_claimed(row, items, worker_id, *, clock=time.time, cache=None, claim_tasks=0,
                    lease_seconds=DEFAULT_LEASE_SECONDS) -> Advanced | None:
    """advance() for an execution whose lease this worker holds, loaded by load()."""
    try:
        with transaction.atomic():
            write = compute(row, items, worker_id, clock=clock, cache=cache, claim_tasks=claim_tasks,
                            lease_seconds=lease_seconds)
            _, lost = write_batch([write], worker_id, cache)
        if lost:
            raise LeaseLost(row.pk)
        return write.result
    except BaseException:
        if cache is not None:
            cache.drop(row.pk)
        try:
            release([row.pk], worker_id)
        except Exception:  # the database is gone; the lease expires on its own
            log.warning("could not release the lease of execution %s", row.pk, exc_info=True)
        raise


def compute(row, items, worker_id, *, clock=time.time, cache=None, claim_tasks=0,
            lease_seconds=DEFAULT_LEASE_SECONDS) -> "Write":
    """Advance the engine of an execution whose lease this worker holds; what to store. Reads only."""
    return _Step(row, items, worker_id, clock, cache, claim_tasks, lease_seconds).run()


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
        self.revision = row.revision
        self.fields = {}
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
        self.keep = None  # the engine to remember (_Loaded), or None to forget it
        self.result = result


ALL = "all"


def write_batch(writes, worker_id: str, cache=None):
    """Store the steps of several executions in the current transaction: one guarded UPDATE per
    execution, then one statement per table for all of them. Returns (stored, lost)."""
    stored, lost = [], []
    for write in writes:
        (stored if _guarded_update(write, worker_id) else lost).append(write)
    if stored:
        _insert_and_delete(stored)
    for write in stored:
        if write.after is not None:
            transaction.on_commit(write.after)
        if cache is not None:
            if write.keep is not None:
                cache.put(write.execution_id, write.keep)
            else:
                cache.drop(write.execution_id)
        write.result.tasks = [_attach(task, record) for task, record in write.tasks]
    for write in lost:
        if cache is not None:
            cache.drop(write.execution_id)
    return stored, lost


_EXECUTION_TABLE = None


def _guarded_update(write, worker_id) -> int:
    """UPDATE the execution row if it still has our lease at the revision the step read (raw SQL:
    the ORM's query building costs more than the statement)."""
    global _EXECUTION_TABLE
    if _EXECUTION_TABLE is None:
        _EXECUTION_TABLE = connection.ops.quote_name(Execution._meta.db_table)
    quote = connection.ops.quote_name
    sets, params = [], []
    for name, value in write.fields.items():
        field = Execution._meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    params += [write.execution_id, worker_id, write.revision]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_EXECUTION_TABLE} SET {', '.join(sets)} WHERE {quote('id')} = %s AND "
                       f"{quote('lease_owner')} = %s AND {quote('revision')} = %s", params)
        return cursor.rowcount


_HISTORY_SQL = None


def _insert_history(rows):
    """INSERT the events (tuples in column order) with executemany: the ORM's bulk_create spends
    more time building model objects and SQL than the database spends storing them."""
    global _HISTORY_SQL
    if _HISTORY_SQL is None:
        quote = connection.ops.quote_name
        meta = HistoryEvent._meta
        columns = ", ".join(quote(meta.get_field(name).column) for name in _HISTORY_COLUMNS)
        _HISTORY_SQL = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                        f"VALUES ({', '.join(['%s'] * len(_HISTORY_COLUMNS))})")
    with connection.cursor() as cursor:
        cursor.executemany(_HISTORY_SQL, rows)


def _upsert_frames(rows):
    """INSERT or UPDATE frame records ((execution id, frame id, record) tuples): the same
    ON CONFLICT statement on SQLite and PostgreSQL, executemany for the same reason as history."""
    global _FRAMES_SQL
    if _FRAMES_SQL is None:
        quote = connection.ops.quote_name
        meta = ExecutionFrame._meta
        execution, frame_id, record = (quote(meta.get_field(name).column) for name in ("execution", "frame_id",
                                                                                         "record"))
        _FRAMES_SQL = (f"INSERT INTO {quote(meta.db_table)} ({execution}, {frame_id}, {record}) VALUES (%s, %s, %s) "
                       f"ON CONFLICT ({execution}, {frame_id}) DO UPDATE SET {record} = excluded.{record}")
    with connection.cursor() as cursor:
        cursor.executemany(_FRAMES_SQL, rows)


_FRAMES_SQL = None
_HISTORY_COLUMNS = ("execution", "event_id", "previous_event_id", "timestamp", "type", "details")
_JSON_FIELD = HistoryEvent._meta.get_field("details")
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


def _adapters():
    """(datetime -> column value, JSON value -> column value) for raw statements. SQLite stores
    both as text, in the form Django's own adapters write (naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff',
    JSON text) but without their per-value overhead; other databases use Django's adapters."""
    if connection.vendor == "sqlite":
        return _sqlite_time, _sqlite_json
    return connection.ops.adapt_datetimefield_value, lambda value: _JSON_FIELD.get_db_prep_save(value, connection)


def _sqlite_time(moment):
    return str(moment.replace(tzinfo=None))


def _sqlite_json(value):
    return None if value is None else _compact_json(value)


def _by_execution(writes, attribute, field):
    """One Q for every execution's ids (ALL: every row of the execution), or None."""
    condition = None
    for write in writes:
        ids = getattr(write, attribute)
        if not ids:
            continue
        q = Q(execution_id=write.execution_id) if ids == ALL else Q(execution_id=write.execution_id,
                                                                    **{f"{field}__in": list(ids)})
        condition = q if condition is None else condition | q
    return condition


def _insert_and_delete(writes):
    history = [event for w in writes for event in w.history]
    if history:
        _insert_history(history)
    frames = [frame for w in writes for frame in w.frames]
    if frames:
        _upsert_frames(frames)
    dropped = _by_execution(writes, "dropped_frames", "frame_id")
    if dropped is not None:
        ExecutionFrame.objects.filter(dropped).delete()
    gone = _by_execution(writes, "gone_effects", "effect_id")
    if gone is not None:
        Effect.objects.filter(gone).delete()
    effects = [effect for w in writes for effect in w.effects]
    if effects:
        Effect.objects.bulk_create(effects)
    tokens = [token for w in writes for token in w.tokens]
    if tokens:
        TaskToken.objects.bulk_create(tokens)
    closed = _by_execution(writes, "closed_tokens", "effect_id")
    if closed is not None:
        TaskToken.objects.filter(closed, answered_at=None).update(answered_at=datetime.now(timezone.utc))
    done = [pk for w in writes for pk in w.inbox_done]
    if done:
        InboxItem.objects.filter(id__in=done).delete()
    new = [item for w in writes for item in w.inbox_new]
    if new:
        InboxItem.objects.bulk_create(new)


class _Step:
    """One advance of one execution (see the module docstring)."""

    def __init__(self, row, items, worker_id, clock, cache, claim_tasks, lease_seconds):
        self.row = row
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
        self.inline = collections.deque()  # InvokeTasks answered here (mocks, unknown activities)
        self.activities = {}  # activity ARN -> Activity pk (None: no such activity)
        self.timers_changed = False
        self.redriven = False

    # -- 1. the engine
    def run(self) -> Write:
        row = self.row
        starting = any(item.kind == InboxItem.START for item in self.items)
        redriving = any(item.kind == "redrive" for item in self.items)
        if row.status != RUNNING and not redriving:
            return self._drop_inbox()
        loaded = self.cache.get(row.pk, row.revision) if self.cache is not None else None
        if loaded is not None:
            self.engine, self.mock = loaded.engine, loaded.mock
        elif row.revision or not starting:
            if not self._restore():
                return self._drop_inbox()
        try:
            self._apply()
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
        return Execution.objects.filter(pk=self.row.pk).values_list(*names).get()

    def _restore(self) -> bool:
        definition, state = self._heavy("definition", "engine_state")
        if not state:
            return False
        frames = {str(frame_id): record for frame_id, record in
                  ExecutionFrame.objects.filter(execution_id=self.row.pk).values_list("frame_id", "record")}
        machine = parse_definition(definition)
        self.engine = RuntimeExecution.restore(machine, {**state, "frames": frames}, clock=self.clock)
        self.mock = self._mock_case(self.engine.machine_context["Name"])
        return True

    def _create(self, item):
        definition, input_text = self._heavy("definition", "input")
        start = item.result or {}
        machine = parse_definition(definition)
        row = self.row
        self.engine = RuntimeExecution(
            machine, json.loads(input_text), name=row.name, execution_arn=row.arn,
            state_machine_arn=start.get("state_machine_arn"), state_machine_name=start.get("state_machine_name"),
            role_arn=start.get("role_arn"), start_time=row.started_at.timestamp(), clock=self.clock,
            history_limit=HISTORY_LIMIT if row.type == StateMachine.STANDARD else None,
            redrive_count=row.redrive_count)
        self.mock = self._mock_case(self.engine.machine_context["Name"])

    def _mock_case(self, machine_name):
        if not self.row.mock_test_case:
            return None
        try:
            return mocks.case_for(self.row.mock_test_case, machine_name, self.row.mock_calls)
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
            elif kind == "redrive":
                if ex.status in CLOSED_STATUSES and ex.status != Execution.SUCCEEDED:
                    self.redriven = True
                    self._take(ex.redrive())
            self._answer_inline()
        if self.engine is not None:
            self._fire_due_timers()

    def _fire_due_timers(self):
        wake_at = self.row.wake_at
        now = self.clock()
        if wake_at is None or wake_at.timestamp() > now:
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
        self.events.extend(step.events)
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
                elif _is_activity(effect.resource) and self._activity(effect.resource) is None:
                    self.inline.append(effect)
                else:
                    self.new_effects[effect.id] = effect

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
                outcome = ("error", "States.Runtime", f"The activity {effect.resource} does not exist.")
            if outcome[0] == "ok":
                self._take(ex.complete(effect.id, outcome[1]))
            else:
                self._take(ex.fail(effect.id, outcome[1], outcome[2]))

    def _activity(self, arn):
        if arn not in self.activities:
            self.activities[arn] = Activity.objects.filter(arn=arn).values_list("pk", flat=True).first()
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
        result = Advanced(row.pk, status, ended=ended)
        write = Write(row, result)
        _, adapt_json = _adapters()

        write.history, result.events = self._history()
        for frame_id, record in changes["frames"].items():
            if record is None:
                write.dropped_frames.append(int(frame_id))
            else:
                write.frames.append((row.pk, int(frame_id), adapt_json(record)))
        write.gone_effects = (self.consumed | self.cancelled) - pending.keys()
        write.effects, write.tokens, write.tasks, activity_ids = self._effect_rows(new_effects, now)
        write.inbox_done = [item.pk for item in self.items if item.pk is not None]

        fields = write.fields
        fields.update(engine_state={"format": changes["format"], "execution": changes["execution"]},
                      last_event_id=ex.next_event_id - 1, status=status, revision=row.revision + 1,
                      lease_owner="", lease_expires_at=None)
        if self.timers_changed or ended:
            timers = self._timers() if status == RUNNING else []
            fields["wake_at"] = to_datetime(timers[0][0]) if timers else None
        if ended or self.redriven:
            fields["output"] = to_json(ex.output) if status == Execution.SUCCEEDED else None
            fields["error"], fields["cause"] = ex.error, ex.cause
            fields["stopped_at"] = (to_datetime(self.events[-1].timestamp if self.events else now) if ended
                                    else None)
        if self.mock_used:
            fields["mock_calls"] = dict(self.mock.calls)

        enqueued = False
        if self.cancelled:
            write.closed_tokens = self.cancelled
            children = Execution.objects.filter(parent_id=row.pk, parent_effect_id__in=self.cancelled,
                                                status=RUNNING).values_list("pk", flat=True)
            for child in children:
                write.inbox_new.append(InboxItem(execution_id=child, kind=InboxItem.STOP, error="States.Aborted",
                                                 cause="The parent execution stopped waiting for this execution."))
                enqueued = True
        if ended and row.parent_id and row.parent_wait and row.parent_effect_id is not None:
            write.inbox_new.append(InboxItem(execution_id=row.parent_id, effect_id=row.parent_effect_id,
                                             **self._parent_answer(status)))
            enqueued = True
        write.after = lambda: self._after_commit(result.events, status, ended, activity_ids, enqueued)
        write.keep = _Loaded(row.revision + 1, ex, self.mock) if status == RUNNING else None
        return write

    def _history(self):
        history, published = [], []
        execution_id = self.row.pk
        adapt_time, adapt_json = _adapters()
        for event in self.events:
            details = wire_details(event.details) if event.details is not None else None
            moment = to_datetime(event.timestamp)
            history.append((execution_id, event.id, event.previous_id, adapt_time(moment), event.type,
                            adapt_json(details)))
            # the stored precision (microseconds), so a replay from the store matches what was sent
            message = {"timestamp": moment.timestamp(), "type": event.type, "id": event.id,
                       "previousEventId": event.previous_id}
            if details is not None:
                message[DETAILS_KEY[event.type]] = details
            published.append(message)
        return history, published

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
            payload = _task_payload(effect)
            record = Effect(execution_id=row.pk, effect_id=effect.id, kind=Effect.TASK, payload=payload, key=effect.key)
            if _is_activity(effect.resource):
                record.state = Effect.WAITING
                activity_id = self._activity(effect.resource)
                activity_ids.append(activity_id)
                tokens.append(TaskToken(token=secrets.token_urlsafe(32), kind=TaskToken.ACTIVITY, execution_id=row.pk,
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

    def _parent_answer(self, status) -> dict:
        """The answer to a parent waiting with states:startExecution.sync / .sync:2."""
        from designer.resources.nested import describe_child

        ex, row = self.engine, self.row
        description = describe_child(
            arn=row.arn, name=row.name, machine_arn=ex.machine_context["Id"], status=status,
            input=ex.input, output=ex.output, error=ex.error, cause=ex.cause, started_at=row.started_at,
            stopped_at=to_datetime(self.events[-1].timestamp) if self.events else to_datetime(self.clock()),
            json_objects=row.parent_wait == "sync:2", redrive_count=row.redrive_count)
        if status == Execution.SUCCEEDED:
            return {"kind": InboxItem.COMPLETE, "result": description}
        return {"kind": InboxItem.FAIL, "error": "States.TaskFailed", "cause": json.dumps(description)}

    def _after_commit(self, published, status, ended, activity_ids, others_enqueued):
        row = self.row
        messages = [(publish.execution_group(row.pk), {"type": "execution.event", "event": event})
                    for event in published]
        if ended or self.redriven or (self.events and self.events[0].type == "ExecutionStarted"):
            messages.append((publish.machine_group(row.machine_id), {
                "type": "execution.changed", "execution": summary(row, status, self.events)}))
        publish.publish(messages)
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
        write.fields = {"lease_owner": "", "lease_expires_at": None}
        write.keep = self.cache.get(row.pk, row.revision) if self.cache is not None else None
        return write

    def _closing(self, events, error, cause) -> Write:
        """End the execution FAILED outside the engine: `events` close its history."""
        row = self.row
        self.events = events
        now = events[-1].timestamp
        result = Advanced(row.pk, Execution.FAILED, ended=True)
        write = Write(row, result)
        write.history, result.events = self._history()
        write.fields = {"status": Execution.FAILED, "error": error, "cause": cause, "stopped_at": to_datetime(now),
                        "wake_at": None, "last_event_id": events[-1].id, "revision": row.revision + 1,
                        "lease_owner": "", "lease_expires_at": None}
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
        last = self.row.last_event_id
        cause = f"Statelight could not advance this execution: {type(error).__name__}: {error}"
        return self._closing([Event(last + 1, last, self.clock(), "ExecutionFailed",
                                    {"error": "States.Runtime", "cause": cause})], "States.Runtime", cause)


def _attach(task: TaskRequest, record: Effect) -> TaskRequest:
    task.effect_pk = record.pk
    return task


def _task_payload(effect: InvokeTask) -> dict:
    return {"resource": effect.resource, "input": effect.input, "state": effect.state, "attempt": effect.attempt,
            "pattern": effect.pattern, "token": effect.token, "timeout_seconds": effect.timeout_seconds,
            "heartbeat_seconds": effect.heartbeat_seconds, "context": effect.context}


def task_request(effect: Effect, **extra) -> TaskRequest:
    """The TaskRequest of a stored task Effect."""
    p = effect.payload
    return TaskRequest(resource=p["resource"], input=p["input"], state=p["state"], attempt=p["attempt"],
                       pattern=p["pattern"], token=p["token"], timeout_seconds=p["timeout_seconds"],
                       heartbeat_seconds=p["heartbeat_seconds"], context=p["context"], key=effect.key,
                       effect_id=effect.effect_id, execution_id=effect.execution_id, effect_pk=effect.pk, **extra)


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


def summary(row, status, events=()) -> dict:
    """The machine group's view of an execution (epoch seconds, as the API's timestamps)."""
    stopped = None
    if status != RUNNING:
        stopped = events[-1].timestamp if events else (row.stopped_at.timestamp() if row.stopped_at else None)
    return {"executionArn": row.arn, "name": row.name, "status": status,
            "startDate": row.started_at.timestamp(), "stopDate": stopped}
