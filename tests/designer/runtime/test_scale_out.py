"""Scale-out: `manage.py statelight_worker` processes on PostgreSQL (and Redis)."""
import asyncio
import collections
import json
import os
import signal
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string

from designer import runtime as rt
from designer.models import Effect, ExecutionState, HistoryEvent
from statelight import config
from tests.helpers import POSTGRES_URL, ROOT, fresh_postgres_database, make_machine, migrated_sqlite, using_database

from .durable import WORKFLOWS, in_flight_keys, log_lines, wait_until

REDIS_URL = os.environ.get("STATELIGHT_TEST_REDIS_URL")


def worker_process(url, log_path, output, **env):
    environment = {**os.environ, "DATABASE_URL": url, "STATELIGHT_TEST_LOG": str(log_path),
                   "STATELIGHT_HANDLERS": "examples.handlers,tests.designer.runtime.durable_handlers",
                   "STATELIGHT_RUNTIME_POLL_SECONDS": "0.1", "DJANGO_SECRET_KEY": "scale-out-test",
                   "PYTHONUNBUFFERED": "1", **env}
    with open(output, "ab") as out:
        return subprocess.Popen([sys.executable, "manage.py", "statelight_worker", "--threads", "4"], cwd=ROOT,
                                env=environment, stdout=out, stderr=subprocess.STDOUT)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.skipif(not POSTGRES_URL, reason="STATELIGHT_TEST_POSTGRES_URL is not set (.ci/run sets it)")
def test_a_killed_workers_leases_are_taken_over_by_another(tmp_path, django_db_blocker):
    log_path = tmp_path / "calls.log"
    with fresh_postgres_database() as url:
        # the first worker claims to run on another machine: its death is seen only when its
        # leases (2 s) run out, which is what a worker on another machine would see
        first = worker_process(url, log_path, tmp_path / "first.log", STATELIGHT_RUNTIME_HOST="elsewhere",
                               STATELIGHT_RUNTIME_LEASE_SECONDS="2")
        second = worker_process(url, log_path, tmp_path / "second.log", STATELIGHT_RUNTIME_LEASE_SECONDS="2")
        try:
            with django_db_blocker.unblock(), using_database(url, tmp_path):
                owner = get_user_model().objects.create_user("scale")
                started = []
                for name in ("Chain", "Fan"):
                    definition, make_input, expected = WORKFLOWS[name]
                    machine = make_machine(owner, name, definition)
                    for n in range(6):
                        execution = rt.start_execution(machine, owner=owner, input_text=json.dumps(make_input(n)))
                        started.append((execution, expected(n)))
                wait_until(lambda: sum(1 for kind, pid, _ in log_lines(log_path)
                                       if kind == "done" and pid == str(first.pid)) >= 3, 60,
                           "the first worker did no work:\n" + (tmp_path / "first.log").read_text())
                first.send_signal(signal.SIGKILL)
                first.wait(10)
                outstanding = in_flight_keys()
                held = {effect.key for effect in Effect.objects.filter(claimed_by__startswith="elsewhere:")}
                for execution, expected in started:
                    done = rt.wait_for_execution(execution, timeout=60)
                    assert done.status == "SUCCEEDED", (done.error, done.cause)
                    assert json.loads(done.output) == expected
                    ids = list(HistoryEvent.objects.filter(execution=done).order_by("event_id")
                               .values_list("event_id", flat=True))
                    assert ids == list(range(1, done.last_event_id + 1))
                assert not ExecutionState.objects.filter(lease_owner__startswith="elsewhere")
        finally:
            stop(first)
            stop(second)
    lines = log_lines(log_path)
    starts = collections.Counter(key for kind, _, key in lines if kind == "start")
    ran_twice = {key for key, count in starts.items() if count > 1}
    assert ran_twice <= outstanding and max(starts.values()) <= 2
    assert {pid for _, pid, _ in lines} == {str(first.pid), str(second.pid)}
    # the second worker took over work the first had claimed when it died
    assert held, "the first worker held no task when it was killed"
    assert any(pid == str(second.pid) for kind, pid, key in lines if kind == "start" and key in outstanding)


@pytest.mark.skipif(not REDIS_URL, reason="STATELIGHT_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_a_worker_process_publishes_through_redis(tmp_path, django_db_blocker):
    url = migrated_sqlite(tmp_path)
    layer_settings = config.channel_layers(REDIS_URL)["default"]
    layer = import_string(layer_settings["BACKEND"])(**layer_settings["CONFIG"])
    worker = worker_process(url, tmp_path / "calls.log", tmp_path / "worker.log", REDIS_URL=REDIS_URL)
    try:
        with django_db_blocker.unblock(), using_database(url, tmp_path):
            owner = get_user_model().objects.create_user("redis")
            machine = make_machine(owner, "Nap", {"StartAt": "Nap", "States": {
                "Nap": {"Type": "Wait", "Seconds": 1, "End": True}}})

            async def listen():
                channel = await layer.new_channel()
                await layer.group_add(f"machine-{machine.pk}", channel)
                execution = await asyncio.to_thread(rt.start_execution, machine, owner=owner)
                statuses = []
                while "SUCCEEDED" not in statuses:
                    message = await asyncio.wait_for(layer.receive(channel), 30)
                    assert message["type"] == "execution.changed"
                    assert message["execution"]["executionArn"] == execution.arn
                    statuses.append(message["execution"]["status"])
                await layer.group_discard(f"machine-{machine.pk}", channel)
                await layer.close_pools()
                return statuses

            assert asyncio.run(listen()) == ["RUNNING", "SUCCEEDED"]
    finally:
        stop(worker)
