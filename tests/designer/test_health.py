"""Whether anybody advances the executions (designer/health.py): GET /healthz says so without
login, and every page warns in a banner when executions wait for a worker. The evidence is the
runtimes' heartbeats (RuntimeHeartbeat, written by every runtime's loop), or a runtime in the
page's own process (the embedded default)."""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import DatabaseError

from designer import runtime
from designer.models import RuntimeHeartbeat
from designer.runtime import signals
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def waiting(alice):
    """One of alice's executions, started with no runtime anywhere: it waits."""
    return runtime.start_execution(make_machine(alice, "m", PASS), owner=alice)


def beat(worker_id="host:1:ns:abc", seconds_ago=0.0):
    RuntimeHeartbeat.objects.create(worker_id=worker_id,
                                    seen_at=datetime.now(timezone.utc) - timedelta(seconds=seconds_ago))


def healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200  # the web server answers, whatever the workers do
    return r.json()


def test_it_answers_without_login_that_no_runtime_runs_and_nothing_waits(client):
    assert healthz(client) | {"message": ""} == {"status": "ok", "runtime": "none", "runtimes": 0,
                                                   "waitingExecutions": 0, "message": ""}


def test_it_says_executions_wait_for_a_worker_and_how_to_start_one(client, waiting):
    answer = healthz(client)
    assert (answer["runtime"], answer["waitingExecutions"]) == ("waiting-for-worker", 1)
    assert "1 execution(s) waiting for a worker. Start one with scripts/worker" in answer["message"]


def test_a_worker_that_beat_within_a_lease_period_is_alive(client, waiting, settings):
    settings.STATELIGHT_RUNTIME_LEASE_SECONDS = 30
    beat(seconds_ago=25)
    assert healthz(client) | {"message": ""} == {"status": "ok", "runtime": "ok", "runtimes": 1,
                                                   "waitingExecutions": 0, "message": ""}


def test_a_worker_silent_for_longer_is_not(client, waiting, settings):
    settings.STATELIGHT_RUNTIME_LEASE_SECONDS = 30
    beat(seconds_ago=31)
    assert healthz(client)["runtime"] == "waiting-for-worker"


def test_a_runtime_in_this_process_needs_no_heartbeat(client, waiting, monkeypatch):
    monkeypatch.setattr(signals, "live_runtimes", lambda: [object()])
    assert healthz(client)["runtime"] == "ok"


def test_every_page_shows_the_banner_to_whoever_has_executions_waiting(client, waiting, alice, bob):
    client.force_login(alice)
    for url in ("/", f"/machines/{waiting.machine.pk}/", f"/executions/{waiting.pk}/", "/approvals/", "/keys/"):
        page = client.get(url).content.decode()
        assert '<div class="runtime-banner" role="alert" data-runtime="stalled">' in page, url
        assert "<strong>1 execution waiting for a worker.</strong>" in page and "<code>scripts/worker</code>" in page
    client.force_login(bob)  # none of alice's executions exist for him
    assert "runtime-banner" not in client.get("/").content.decode()


def test_no_banner_while_a_worker_beats(alice_client, waiting):
    beat()
    assert "runtime-banner" not in alice_client.get("/").content.decode()


def test_a_runtime_beats_in_its_loop_and_forgets_itself_when_it_stops():
    worker = runtime.Runtime(inline_tasks=True)
    beat("gone:1:ns:old", seconds_ago=worker.lease_seconds * 21)  # a dead process's, long ago
    worker.run_once()
    assert list(RuntimeHeartbeat.objects.values_list("worker_id", flat=True)) == [worker.worker_id]
    worker.stop()
    assert not RuntimeHeartbeat.objects.exists()


def test_a_database_it_cannot_read_leaves_the_runtime_unknown_not_the_answer(client, monkeypatch):
    def unreadable(**kwargs):
        raise DatabaseError("no such table: designer_runtimeheartbeat")

    monkeypatch.setattr(RuntimeHeartbeat, "alive", unreadable)
    assert healthz(client) == {"status": "ok", "runtime": "unknown",
                               "message": "The database cannot be read: whether a runtime runs is unknown."}
