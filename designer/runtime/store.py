"""advance(): one step of one execution, from its inbox to the store, in ONE transaction.

The durable shell around the engine's functional core (engine/runner.py is
the inline one). Whoever advances an execution first takes its lease (a
conditional UPDATE; SKIP LOCKED where PostgreSQL has it), then:

1. restores the engine: from this worker's memory when the stored revision
   is the one it wrote last, else from ExecutionState.engine_state + one
   ExecutionFrame row per engine frame; or creates it on the START item;
2. applies the inbox in id order (start, complete, fail, fire, heartbeat,
   stop, redrive; the engine drops late and unknown answers), then fires the
   timers that are due; mocked tasks are answered on the spot;
3. in one transaction: appends the history events, upserts/deletes frame
   rows, updates the execution's ExecutionState row (engine record, wake-up
   time, revision) only if it still holds the lease at the revision it read
   (and the Execution row when its status changes),
   creates/deletes Effect rows (tasks, timers) and task tokens, deletes the
   consumed inbox items, and answers a waiting parent (states:startExecution
   .sync) when the execution ends;
4. after commit: publishes the events and wakes whoever waits.

So a step is stored whole or not at all: a worker killed anywhere leaves the
store at the previous step, with the answers still in the inbox.
"""
from __future__ import annotations

import collections
import logging
import time
from datetime import datetime, timezone

from django.db import connection, transaction
from django.db.models import Q

from designer import prepared
from designer.models import (Effect, Execution, ExecutionFrame, ExecutionState, HistoryEvent, InboxItem, StateMachine,
                             TaskToken)

from .columns import adapters, to_datetime, writing
from .engines import EngineCache
from .step import ALL, RUNNING, Advanced, compute

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 30.0
# Columns a step reads only to restore or start an engine (ExecutionState.engine_state too).
_HEAVY = ("definition", "input", "output", "error", "cause")
_RUNTIME_STATE = Execution.runtime_state.related  # caches a row's ExecutionState on it


class LeaseLost(Exception):
    """Another worker took the execution over (or wrote a newer revision) while we advanced it."""


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
    with writing():
        candidates = ExecutionState.objects.filter(execution_id__in=list(ids)).filter(free).order_by()
        if connection.features.has_select_for_update_skip_locked:
            taken = list(candidates.select_for_update(skip_locked=True).values_list("execution_id", flat=True))
            if taken:
                ExecutionState.objects.filter(execution_id__in=taken).update(lease_owner=worker_id,
                                                                            lease_expires_at=until)
            return taken
        if connection.features.can_return_rows_from_bulk_insert:  # SQLite >= 3.35: UPDATE ... RETURNING
            return _claim_returning(ids, worker_id, now_dt, until, dead)
        # an older SQLite: the transaction holds the write lock from its start (IMMEDIATE), so
        # nobody claims between the UPDATE and the read-back
        candidates.update(lease_owner=worker_id, lease_expires_at=until)
        return list(ExecutionState.objects.filter(execution_id__in=list(ids), lease_owner=worker_id).order_by()
                    .values_list("execution_id", flat=True))


def _claim_returning(ids, worker_id, now_dt, until, dead) -> list:
    quote = connection.ops.quote_name
    adapt = adapters()[0]
    owner, expires = quote("lease_owner"), quote("lease_expires_at")
    ids = list(ids)
    dead = list(dead)
    key = quote("execution_id")
    sql = (f"UPDATE {quote(ExecutionState._meta.db_table)} SET {owner} = %s, {expires} = %s "
           f"WHERE {key} IN ({', '.join(['%s'] * len(ids))}) AND ({owner} = '' OR {expires} < %s OR {owner} = %s"
           + (f" OR {owner} IN ({', '.join(['%s'] * len(dead))})" if dead else "") + f") RETURNING {key}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [worker_id, adapt(until), *ids, adapt(now_dt), worker_id, *dead])
        return [row[0] for row in cursor.fetchall()]


def orphaned_tasks(now_dt, dead=()) -> Q:
    """Tasks nobody performs: pending, or claimed by a worker whose claim lapsed or who is dead."""
    orphaned = Q(state=Effect.PENDING) | Q(state=Effect.RUNNING, claimed_until__lt=now_dt)
    if dead:
        orphaned |= Q(state=Effect.RUNNING, claimed_by__in=list(dead))
    return orphaned


def claim_effects(ids, worker_id: str, *, now: float, lease_seconds: float = DEFAULT_LEASE_SECONDS, dead=()) -> set:
    """Claim those tasks that nobody performs (pending, or claimed by a worker whose claim lapsed or
    who is dead) for this worker; the ids taken. One UPDATE ... RETURNING where the database has it."""
    now_dt, until = to_datetime(now), to_datetime(now + lease_seconds)
    if not connection.features.can_return_rows_from_bulk_insert:  # an older SQLite: one at a time
        return {pk for pk in ids if Effect.objects.filter(orphaned_tasks(now_dt, dead), pk=pk).update(
            state=Effect.RUNNING, claimed_by=worker_id, claimed_until=until)}
    quote = connection.ops.quote_name
    adapt = adapters()[0]
    state, by, until_column = quote("state"), quote("claimed_by"), quote("claimed_until")
    dead = list(dead)
    ids = list(ids)
    sql = (f"UPDATE {quote(Effect._meta.db_table)} SET {state} = %s, {by} = %s, {until_column} = %s "
           f"WHERE {quote('id')} IN ({', '.join(['%s'] * len(ids))}) AND ({state} = %s OR ({state} = %s AND "
           f"({until_column} < %s" + (f" OR {by} IN ({', '.join(['%s'] * len(dead))})" if dead else "")
           + f"))) RETURNING {quote('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [Effect.RUNNING, worker_id, adapt(until), *ids, Effect.PENDING, Effect.RUNNING,
                             adapt(now_dt), *dead])
        return {row[0] for row in cursor.fetchall()}


def release(ids, worker_id: str):
    ExecutionState.objects.filter(execution_id__in=list(ids), lease_owner=worker_id).update(
        lease_owner="", lease_expires_at=None)


def load(ids, cache=None):
    """{id: execution row}, {id: [inbox items in order]}. The big columns (definition, input,
    engine record) are read in one query for the executions that need them: those starting and
    those whose engine is not in `cache`."""
    rows = {row.pk: row for row in prepared.select(Execution, "id", ids, without=_HEAVY)}
    for state in prepared.select(ExecutionState, "execution", rows, without=("engine_state",)):
        _RUNTIME_STATE.set_cached_value(rows[state.execution_id], state)
    owners = _owners({row.machine_id for row in rows.values()})
    for row in rows.values():
        row.machine_owner = owners.get(row.machine_id)
    items = collections.defaultdict(list)
    for item in sorted(prepared.select(InboxItem, "execution", rows), key=lambda item: item.pk):
        items[item.execution_id].append(item)
    heavy = [pk for pk, row in rows.items() if row.status == RUNNING or items.get(pk)]
    if cache is not None:
        heavy = [pk for pk in heavy if cache.get(pk, rows[pk].runtime_state.revision) is None]
    if heavy:
        for pk, definition, input_text, state in Execution.objects.filter(id__in=heavy).values_list(
                "id", "definition", "input", "runtime_state__engine_state"):
            rows[pk].heavy = {"definition": definition, "input": input_text, "engine_state": state}
    return rows, items


def _owners(machine_ids) -> dict:
    """{machine id: its owner's id}: whom the tasks of its executions act for."""
    if not machine_ids:
        return {}
    quote = connection.ops.quote_name
    meta = StateMachine._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('id')}, {quote(meta.get_field('owner').column)} FROM {quote(meta.db_table)} "
                       f"WHERE {quote('id')} IN ({', '.join(['%s'] * len(machine_ids))})", list(machine_ids))
        return dict(cursor.fetchall())


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
        write = compute(row, items, worker_id, clock=clock, cache=cache, claim_tasks=claim_tasks,
                        lease_seconds=lease_seconds)
        with transaction.atomic():
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


def write_batch(writes, worker_id: str, cache=None):
    """Store the steps of several executions in the current transaction: those whose row still has
    this worker's lease at the revision the step read (one SELECT, locking the rows), then a
    statement (or one executemany) per table for all of them. Returns (stored, lost)."""
    held = _held([write.execution_id for write in writes], worker_id)
    stored, lost = [], []
    for write in writes:
        (stored if held.get(write.execution_id) == write.revision else lost).append(write)
    if stored:
        _update_rows(stored)
        _insert_and_delete(stored)
    for write in stored:
        if write.after is not None:
            transaction.on_commit(write.after)
        if cache is not None:
            if write.keep is not None:
                cache.put(write.execution_id, write.keep)
            else:
                cache.drop(write.execution_id)
        write.stored()
    for write in lost:
        if cache is not None:
            cache.drop(write.execution_id)
    return stored, lost


def _held(ids, worker_id) -> dict:
    """{execution id: revision} of those executions whose lease this worker holds, their rows locked
    until the transaction ends (FOR UPDATE; SQLite's transaction holds the database's write lock)."""
    if not ids:
        return {}
    quote = connection.ops.quote_name
    # in id order, so that two transactions locking some of the same rows cannot deadlock
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('execution_id')}, {quote('revision')} FROM "
                       f"{quote(ExecutionState._meta.db_table)} WHERE {quote('execution_id')} IN "
                       f"({', '.join(['%s'] * len(ids))}) AND {quote('lease_owner')} = %s "
                       f"ORDER BY {quote('execution_id')}{lock}", [*ids, worker_id])
        return dict(cursor.fetchall())


def _update_rows(writes):
    """UPDATE the state rows (and the Execution rows whose status changed) of held executions: one
    executemany per set of columns (a round trip for them all on PostgreSQL, whose driver pipelines
    it; the ORM's query building costs more than the statements)."""
    statements = collections.defaultdict(list)
    for write in writes:
        sql, params = _update(ExecutionState, write.state_fields, ("execution_id",))
        statements[sql].append(params + [write.execution_id])
        if write.execution_fields:
            sql, params = _update(Execution, write.execution_fields, ("id",))
            statements[sql].append(params + [write.execution_id])
    with connection.cursor() as cursor:
        for sql, rows in statements.items():
            cursor.executemany(sql, rows)


_UPDATES = {}


def _update(model, fields, where):
    """(UPDATE statement, its SET values) for these fields of `model`, the row chosen by the columns
    `where`: the statement and each value's conversion are made once per set of fields."""
    key = (model, tuple(fields), where, connection.vendor)
    statement = _UPDATES.get(key)
    if statement is None:
        quote = connection.ops.quote_name
        meta = model._meta
        columns = [meta.get_field(name) for name in fields]
        sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in columns)} "
               f"WHERE {' AND '.join(f'{quote(column)} = %s' for column in where)}")
        statement = _UPDATES[key] = (sql, [_adapter(field) for field in columns])
    sql, adapt = statement
    return sql, [convert(value) for convert, value in zip(adapt, fields.values())]


def _adapter(field):
    adapt_time, adapt_json = adapters()
    kind = field.get_internal_type()
    if kind == "JSONField":
        return adapt_json
    if kind == "DateTimeField":
        return lambda value: None if value is None else adapt_time(value)
    return lambda value: field.get_db_prep_save(value, connection)


_HISTORY_SQL = None


def _insert_history(rows):
    """INSERT the events (tuples in column order) with executemany, or COPY on PostgreSQL (a
    batch's thousands of events in one stream; inserted row by row, they were a third of a
    worker's time): the ORM's bulk_create spends more time building model objects and SQL than
    the database spends storing them."""
    global _HISTORY_SQL
    quote = connection.ops.quote_name
    meta = HistoryEvent._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in HISTORY_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if _HISTORY_SQL is None:
            _HISTORY_SQL = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                            f"VALUES ({', '.join(['%s'] * len(HISTORY_COLUMNS))})")
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
HISTORY_COLUMNS = ("execution", "event_id", "previous_event_id", "timestamp", "type", "details", "state_run", "path",
                   "state_name")


def _pairs(writes, attribute):
    """([(execution id, key)], [(execution id,)]): the rows named by each write's `attribute`,
    and the executions whose rows all go (ALL)."""
    pairs, whole = [], []
    for write in writes:
        keys = getattr(write, attribute)
        if keys == ALL:
            whole.append((write.execution_id,))
        elif keys:
            pairs.extend((write.execution_id, key) for key in keys)
    return pairs, whole


def _delete(model, key, writes, attribute, cursor):
    pairs, whole = _pairs(writes, attribute)
    quote = connection.ops.quote_name
    meta = model._meta
    table, execution = quote(meta.db_table), quote(meta.get_field("execution").column)
    if pairs:
        cursor.executemany(f"DELETE FROM {table} WHERE {execution} = %s AND {quote(key)} = %s", pairs)
    if whole:
        cursor.executemany(f"DELETE FROM {table} WHERE {execution} = %s", whole)


def _close_tokens(writes, cursor):
    """Tokens of cancelled tasks answer no more (TaskTimedOut)."""
    pairs, whole = _pairs(writes, "closed_tokens")
    if not pairs and not whole:
        return
    quote = connection.ops.quote_name
    meta = TaskToken._meta
    table, execution = quote(meta.db_table), quote(meta.get_field("execution").column)
    answered = quote("answered_at")
    now = adapters()[0](datetime.now(timezone.utc))
    if pairs:
        cursor.executemany(f"UPDATE {table} SET {answered} = %s WHERE {execution} = %s AND {quote('effect_id')} = %s "
                           f"AND {answered} IS NULL", [(now, *pair) for pair in pairs])
    if whole:
        cursor.executemany(f"UPDATE {table} SET {answered} = %s WHERE {execution} = %s AND {answered} IS NULL",
                           [(now, *one) for one in whole])


def _insert_and_delete(writes):
    """The rows of every stored step: a statement (or one executemany) per table for the batch."""
    history = [event for w in writes for event in w.history]
    if history:
        _insert_history(history)
    frames = [frame for w in writes for frame in w.frames]
    if frames:
        _upsert_frames(frames)
    with connection.cursor() as cursor:
        _delete(ExecutionFrame, "frame_id", writes, "dropped_frames", cursor)
        _delete(Effect, "effect_id", writes, "gone_effects", cursor)
    prepared.insert_many([effect for w in writes for effect in w.effects])
    prepared.insert_many([token for w in writes for token in w.tokens])
    with connection.cursor() as cursor:
        _close_tokens(writes, cursor)
    done = [pk for w in writes for pk in w.inbox_done]
    if done:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(InboxItem._meta.db_table)} WHERE {quote('id')} IN "
                           f"({', '.join(['%s'] * len(done))})", done)
    prepared.insert_many([item for w in writes for item in w.inbox_new])
