"""The runtime loop with its own threads, on a file-backed SQLite database."""
import json
import os
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from designer import runtime as rt
from designer.models import Effect, Execution, ExecutionState, HistoryEvent
from designer.runtime import columns, identity, store
from tests.helpers import make_machine

TWO_TASKS = json.loads(open("examples/two_tasks.asl.json").read())


@pytest.fixture
def owner(file_db):
    # not django_user_model: it brings pytest-django's `db`, whose transaction other threads cannot see
    return get_user_model().objects.create_user("worker-owner")


@pytest.fixture
def running():
    runtimes = []

    def start(**options):
        runtime = rt.Runtime(**options).start()
        runtimes.append(runtime)
        return runtime

    yield start
    for runtime in runtimes:
        runtime.stop()


def test_it_runs_executions_in_the_background(owner, running):
    running()
    machine = make_machine(owner, "TwoTasks", TWO_TASKS)
    executions = [rt.start_execution(machine, owner=owner, input_text=json.dumps({"n": n})) for n in range(20)]
    for n, execution in enumerate(executions):
        done = rt.wait_for_execution(execution, timeout=30)
        assert done.status == "SUCCEEDED"
        assert json.loads(done.output)["n"] == n
        assert HistoryEvent.objects.filter(execution=done).count() == done.last_event_id == 12


def test_it_reacts_at_once_when_this_process_enqueues_work(owner, running):
    running(poll_seconds=30)  # only a notification can wake it in time
    machine = make_machine(owner, "TwoTasks", TWO_TASKS)
    execution = rt.start_execution(machine, owner=owner)
    assert rt.wait_for_execution(execution, timeout=10).status == "SUCCEEDED"


def test_a_task_claimed_by_a_dead_process_runs_again(owner, running):
    machine = make_machine(owner, "TwoTasks", TWO_TASKS)
    execution = rt.start_execution(machine, owner=owner)
    # a worker of this machine, in a process that no longer exists, took the step and its task
    dead = os.getpid() + 4_000_000 if os.getpid() < 4_000_000 else 1
    dead_worker = f"{identity.HOST}:{dead}:{identity.NAMESPACE}:deadbeef"
    assert identity.owner_is_dead(dead_worker)
    result = store.advance(execution.pk, dead_worker, claim_tasks=10, lease_seconds=3600)
    assert len(result.tasks) == 1
    effect = Effect.objects.get(execution=execution, kind="task")
    assert effect.claimed_by == dead_worker and effect.state == "running"
    running()
    assert rt.wait_for_execution(execution, timeout=15).status == "SUCCEEDED"


def test_a_lease_held_by_a_live_worker_elsewhere_is_respected_until_it_expires(owner, running):
    machine = make_machine(owner, "TwoTasks", TWO_TASKS)
    execution = rt.start_execution(machine, owner=owner)
    store.claim([execution.pk], "other-host:1:ns:live", now=time.time(), lease_seconds=1.5)
    running()
    time.sleep(0.5)
    assert Execution.objects.get(pk=execution.pk).last_event_id == 0
    assert rt.wait_for_execution(execution, timeout=15).status == "SUCCEEDED"


def test_a_start_inside_a_transaction_does_not_wait_for_the_processs_writers(owner):
    # a task starts a child execution in a transaction of its own (resources/nested.py), which holds
    # SQLite's lock; meanwhile the runtime may hold the process's writers' turn, waiting for that lock
    machine = make_machine(owner, "TwoTasks", TWO_TASKS)
    holding, failures = threading.Event(), []

    def runtime_writing():
        try:
            with columns._WRITERS:  # what columns.writing() takes first...
                holding.set()
                with transaction.atomic():  # ...then SQLite's lock, once the test's transaction ends
                    ExecutionState.objects.filter(pk=0).update(revision=0)
        except Exception as e:  # "database is locked": the two waited for each other
            failures.append(e)
        finally:
            connection.close()

    writer = threading.Thread(target=runtime_writing)
    with transaction.atomic():
        Execution.objects.filter(pk=0).update(status="RUNNING")  # this connection holds SQLite's lock
        writer.start()
        holding.wait(10)
        execution = rt.start_execution(machine, owner=owner)
    writer.join(30)
    assert failures == [] and Execution.objects.filter(pk=execution.pk).exists()
