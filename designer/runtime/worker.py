"""The runtime loop: which executions to advance, which tasks to perform, by whom.

One Runtime per process: inside `manage.py runserver` (the embedded default)
or `manage.py statelight_worker` (scale-out, any number of processes on
PostgreSQL + Redis). Its loop thread:

- advances executions that have inbox items or a due timer (wake_at <= now),
  whose lease is free, expired, or held by a worker known to be dead;
- hands the tasks those steps scheduled to a bounded thread pool, claimed
  in the step's own transaction (Effect.claimed_by/claimed_until);
- performs task effects nobody performs: new ones left unclaimed, and ones
  claimed by a worker that died (its claim expired, or it was a process of
  this machine that no longer exists). So a task that was in flight when a
  process died runs again (same Effect.key); its late answer, if the old
  process ever gives one, is dropped because the claim moved on;
- renews the claims of the tasks it is performing, so a long task is not
  taken over while its worker lives.

Wake-ups: every STATELIGHT_RUNTIME_POLL_SECONDS, and at once when this
process enqueues work (signals.work_available()).

Timeouts and heartbeats are engine timers (Effect rows with due_at, summed
up in ExecutionState.wake_at), never sleeping threads.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q

from designer import resources
from designer.models import Effect, Execution, ExecutionState, InboxItem, RuntimeHeartbeat, TaskLog

from . import engines, publish, signals, store
from .columns import to_datetime, writing
from .identity import make_worker_id, owner_is_dead
from .step import Answer

log = logging.getLogger(__name__)


# --- the runtime ------------------------------------------------------------

class Runtime:
    def __init__(self, *, worker_id=None, task_threads=None, poll_seconds=None, lease_seconds=None, clock=time.time,
                 inline_tasks=False, batch=64):
        self.worker_id = worker_id or make_worker_id()
        self.task_threads = task_threads or getattr(settings, "STATELIGHT_RUNTIME_TASK_THREADS", 8)
        self.poll_seconds = poll_seconds or getattr(settings, "STATELIGHT_RUNTIME_POLL_SECONDS", 0.2)
        self.lease_seconds = lease_seconds or getattr(settings, "STATELIGHT_RUNTIME_LEASE_SECONDS", 30.0)
        self.clock = clock
        self.batch = batch
        self.inline_tasks = inline_tasks
        self.cache = engines.EngineCache()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._inflight = set()  # Effect pks this worker performs
        self._queue = deque()  # inline_tasks: performed by run_once
        self._answers = deque()  # (task, outcome) performed here, applied by the next round
        self._pool = None
        self._thread = None
        self._dead = ()
        self._last = {"renew": 0.0, "dead": 0.0, "orphans": 0.0, "scan": 0.0, "beat": 0.0}
        self._scan = True

    # -- life
    def start(self):
        resources.load_handlers()
        if not self.inline_tasks:
            self._pool = ThreadPoolExecutor(self.task_threads, thread_name_prefix="statelight-task")
        signals.add_runtime(self)
        self._thread = threading.Thread(target=self._loop, name="statelight-runtime", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0):
        """Stop taking work, let running tasks answer (up to `timeout`), hand the rest back."""
        self._stopping.set()
        self._wake.set()
        signals.remove_runtime(self)
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + timeout
            while self._inflight and time.monotonic() < deadline:
                time.sleep(0.02)
        try:
            answers = self._take_answers()
            with transaction.atomic():
                store_logs(answers)
                self._to_inbox([(t, o) for t, o in answers if o.kind != resources.WAITING])
            waiting = [t.effect_pk for t, o in answers if o.kind == resources.WAITING]
            if waiting:
                Effect.objects.filter(pk__in=waiting, claimed_by=self.worker_id).update(
                    state=Effect.WAITING, claimed_until=None)
            with self._lock:
                unfinished = list(self._inflight)
            if unfinished:  # whoever comes next performs them again
                Effect.objects.filter(pk__in=unfinished, claimed_by=self.worker_id).update(
                    state=Effect.PENDING, claimed_by="", claimed_until=None)
            store.release(ExecutionState.objects.filter(lease_owner=self.worker_id).values_list("pk", flat=True),
                          self.worker_id)
            RuntimeHeartbeat.forget(self.worker_id)
        except Exception:
            log.warning("could not hand back the work of %s", self.worker_id, exc_info=True)
        finally:
            connection.close()

    def notify(self):
        """Work was stored for some execution: look at the database in the next round."""
        self._scan = True
        self._wake.set()

    def _loop(self):
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                worked = self.run_once()
            except Exception:
                log.exception("runtime loop")
                worked = 0
                close_old_connections()
                self._stopping.wait(self.poll_seconds)
            if not worked:
                self._wake.wait(self.poll_seconds)
        connection.close()

    # -- one round
    def run_once(self) -> int:
        """Advance what can be advanced, start the tasks nobody performs; the amount of work done."""
        now = self.clock()
        self._housekeeping(now)
        done = self._advance_some(now)
        if self.inline_tasks or not done or now - self._last["orphans"] >= self.poll_seconds:
            self._last["orphans"] = now
            done += self._perform_orphans(now)
        if self.inline_tasks:
            done += self._perform_queued()
        return done

    def drain(self, timeout: float = 30.0, until=None):
        """Run rounds in this thread until nothing is left to do (and `until()` holds). For tests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            worked = self.run_once()
            if not worked and (until is None or until()):
                return
            if not worked:
                time.sleep(0.01)
        raise TimeoutError(f"the runtime still had work after {timeout} s")

    def _advance_some(self, now: float) -> int:
        """Claim a batch of executions with work, advance each by a slice, and store all their steps
        in one transaction (store.write_batch: a statement per table for the batch): on SQLite the
        write lock is taken once per batch, not once per statement, and not while the engines work
        (the claim is a transaction of its own)."""
        now_dt = to_datetime(now)
        answers = self._take_answers(limit=self.batch * 8)
        # The database is searched for work when told of some, and at least every poll; a round
        # woken only by answers of this worker's own tasks skips the search (they are in memory).
        ids = []
        if self._scan or not answers or now - self._last["scan"] >= self.poll_seconds:
            self._scan = False
            self._last["scan"] = now
            ids = self._candidates(now_dt)
        answered = {}
        for task, outcome in answers:
            if outcome.kind != resources.WAITING:
                answered.setdefault(task.execution_id, []).append((task, outcome))
        ids += [pk for pk in answered if pk not in ids]
        waiting = [task.effect_pk for task, outcome in answers if outcome.kind == resources.WAITING]
        if not ids and not waiting:
            return 0
        writes, stored = [], []
        claimed = []
        try:
            claimed = store.claim(ids, self.worker_id, now=now, lease_seconds=self.lease_seconds,
                                  dead=self._dead) if ids else []
            rows, items = store.load(claimed, self.cache)
            budget = self._capacity()
            for pk in claimed:
                row = rows.get(pk)
                if row is None:
                    continue
                local = [_answer_item(outcome, task) for task, outcome in answered.get(pk, [])]
                write = store.compute(row, items.get(pk, []) + local, self.worker_id, clock=self.clock,
                                      cache=self.cache, claim_tasks=budget, lease_seconds=self.lease_seconds)
                budget -= len(write.tasks)
                writes.append(write)
            with writing():
                store_logs(answers)
                if waiting:
                    Effect.objects.filter(pk__in=waiting, claimed_by=self.worker_id,
                                          state__in=[Effect.RUNNING, Effect.WAITING]).update(
                        state=Effect.WAITING, claimed_until=None)
                held = set(claimed)
                # answers for executions another worker holds go through their inbox
                self._to_inbox([a for pk, batch in answered.items() if pk not in held for a in batch])
                stored, _ = store.write_batch(writes, self.worker_id, self.cache)
        except BaseException:
            for pk in claimed:  # the engines in memory ran ahead of a step that was not stored
                self.cache.drop(pk)
            self._answers.extendleft(reversed(answers))  # the next round tries them again
            _release(claimed, self.worker_id)
            raise
        for write in stored:
            self._submit(write.result.tasks)
        if self._answers or any(write.result.more for write in stored):
            self._scan = True  # more than one round's worth, or slices to come
            self._wake.set()
        return len(writes) + len(waiting)

    def _candidates(self, now_dt) -> list:
        """Executions with inbox items or a due timer, whose lease is free (or its holder dead)."""
        free = Q(lease_owner="") | Q(lease_expires_at__lt=now_dt) | Q(lease_owner=self.worker_id)
        state = "execution__runtime_state__"
        inbox_free = (Q(**{f"{state}lease_owner": ""}) | Q(**{f"{state}lease_expires_at__lt": now_dt})
                      | Q(**{f"{state}lease_owner": self.worker_id}))
        if self._dead:
            free |= Q(lease_owner__in=self._dead)
            inbox_free |= Q(**{f"{state}lease_owner__in": self._dead})
        ids = list(InboxItem.objects.filter(inbox_free).order_by().values_list("execution_id", flat=True)
                   .distinct()[:self.batch])
        ids += ExecutionState.objects.filter(free, wake_at__lte=now_dt).order_by("wake_at").values_list(
            "execution_id", flat=True)[:self.batch]
        return list(dict.fromkeys(ids))

    # -- answers
    def _take_answers(self, limit=None) -> list:
        answers = []
        while self._answers and (limit is None or len(answers) < limit):
            answers.append(self._answers.popleft())
        return answers

    def _to_inbox(self, answers):
        """Store answers in their executions' inboxes (an execution another worker holds, or this
        worker stopping); the task is marked answered so nobody performs it again."""
        if not answers:
            return
        with transaction.atomic():
            InboxItem.objects.bulk_create([_inbox_item(task, outcome) for task, outcome in answers])
            Effect.objects.filter(pk__in=[task.effect_pk for task, _ in answers], claimed_by=self.worker_id,
                                  state=Effect.RUNNING).update(state=Effect.ANSWERED)
            transaction.on_commit(signals.work_available)

    # -- tasks
    def _capacity(self) -> int:
        with self._lock:
            return max(0, self.task_threads * 4 - len(self._inflight)) if not self.inline_tasks else 10_000

    def _submit(self, tasks):
        for task in tasks:
            with self._lock:
                self._inflight.add(task.effect_pk)
            if self._pool is not None:
                self._pool.submit(self._perform, task)
            else:
                self._queue.append(task)

    def _perform_queued(self) -> int:
        done = 0
        while self._queue:
            self._perform(self._queue.popleft())
            done += 1
        return done

    def _perform(self, task):
        try:
            outcome = resources.perform(task)
            self._answers.append((task, outcome))
            self._wake.set()
        finally:
            with self._lock:
                self._inflight.discard(task.effect_pk)

    def _perform_orphans(self, now: float) -> int:
        capacity = self._capacity()
        if capacity <= 0:
            return 0
        orphaned = store.orphaned_tasks(to_datetime(now), self._dead)
        candidates = list(Effect.objects.filter(orphaned, kind=Effect.TASK).order_by("id")
                          .annotate(owner_id=F("execution__machine__owner_id"))[:capacity])
        if not candidates:
            return 0
        taken = store.claim_effects([effect.pk for effect in candidates], self.worker_id, now=now,
                                    lease_seconds=self.lease_seconds, dead=self._dead)
        claimed = [resources.TaskRequest.from_stored(effect, worker_id=self.worker_id, owner_id=effect.owner_id)
                   for effect in candidates if effect.pk in taken]
        self._submit(claimed)
        return len(claimed)

    # -- claims that must not lapse, workers that are gone
    def _housekeeping(self, now: float):
        if now - self._last["beat"] >= self.lease_seconds / 3:
            # the pages warn when no runtime beats (designer/health.py)
            self._last["beat"] = now
            RuntimeHeartbeat.beat(self.worker_id, self.lease_seconds)
        if now - self._last["renew"] >= self.lease_seconds / 3:
            self._last["renew"] = now
            with self._lock:
                inflight = list(self._inflight)
            if inflight:
                Effect.objects.filter(pk__in=inflight, claimed_by=self.worker_id, state=Effect.RUNNING).update(
                    claimed_until=to_datetime(now + self.lease_seconds))
        if now - self._last["dead"] >= 2.0:
            self._last["dead"] = now
            now_dt = to_datetime(now)
            owners = set(ExecutionState.objects.filter(lease_expires_at__gte=now_dt).exclude(lease_owner="")
                         .order_by().values_list("lease_owner", flat=True).distinct())
            owners |= set(Effect.objects.filter(state=Effect.RUNNING, claimed_until__gte=now_dt)
                          .order_by().values_list("claimed_by", flat=True).distinct())
            self._dead = tuple(owner for owner in owners if owner != self.worker_id and owner_is_dead(owner))


def _release(ids, worker_id):
    try:
        store.release(ids, worker_id)
    except Exception:  # the database is gone; the leases expire on their own
        log.warning("could not release %d lease(s)", len(ids), exc_info=True)


def store_logs(answers):
    """What the handlers of these answered tasks logged (TaskLog rows), in the transaction that stores
    the answers. Not for an execution deleted meanwhile; a failure to store them loses only them."""
    logged = [(task, outcome.logs) for task, outcome in answers if outcome.logs and task.execution_id is not None]
    if not logged:
        return
    try:
        with transaction.atomic():
            alive = set(Execution.objects.filter(pk__in={task.execution_id for task, _ in logged})
                        .values_list("pk", flat=True))
            TaskLog.objects.bulk_create([
                TaskLog(execution_id=task.execution_id, effect_id=task.effect_id, state_name=task.state,
                        entered_event_id=task.entered_event_id, attempt=task.attempt, lines=logs["lines"],
                        dropped=logs["dropped"])
                for task, logs in logged if task.execution_id in alive])
    except DatabaseError:
        log.warning("could not store the log lines of %d task(s)", len(logged), exc_info=True)


def _answer_item(outcome, task) -> Answer:
    if outcome.kind == resources.SUCCEEDED:
        return Answer(InboxItem.COMPLETE, task.effect_id, result=outcome.result)
    return Answer(InboxItem.FAIL, task.effect_id, error=outcome.error, cause=outcome.cause)


def _inbox_item(task, outcome) -> InboxItem:
    answer = _answer_item(outcome, task)
    return InboxItem(execution_id=task.execution_id, kind=answer.kind, effect_id=answer.effect_id,
                     result=answer.result, error=answer.error, cause=answer.cause)


# --- the embedded runtime ---------------------------------------------------

_embedded = None
_embedded_lock = threading.Lock()


def start_embedded(loop=None) -> Runtime:
    """Start this process's runtime (runserver does, in the serving process only)."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            if loop is not None:
                publish.use_loop(loop)
            _embedded = Runtime().start()
            log.info("Statelight runtime started (%s)", _embedded.worker_id)
        return _embedded


def stop_embedded():
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.stop()
            _embedded = None
