"""The migrations keep an existing database's data: events stored before they carried their
frame path get it worked out (0005_event_frame_path), as the viewer used to guess it."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

RECORDED = json.loads((Path(__file__).parent / "histories" / "fanout_retry_catch.json").read_text())
BEFORE, AFTER = ("designer", "0004_task_log"), ("designer", "0005_event_frame_path")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def back_to_the_latest():
    """The tests after these need every migration, the ones after AFTER too."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_events_stored_before_frame_paths_get_theirs():
    apps = migrate_to(BEFORE)
    try:
        owner = apps.get_model("auth", "User").objects.create(username="old")
        machine = apps.get_model("designer", "StateMachine").objects.create(
            arn="arn:aws:states:us-east-1:123456789012:stateMachine:Old", name="Old", region="us-east-1", owner=owner,
            definition=json.dumps(RECORDED["definition"]))
        execution = apps.get_model("designer", "Execution").objects.create(
            arn="arn:aws:states:us-east-1:123456789012:execution:Old:one", name="one", machine=machine,
            definition=machine.definition, started_at=datetime.now(timezone.utc))
        events = apps.get_model("designer", "HistoryEvent").objects
        for envelope in RECORDED["history"]:
            event = envelope["event"]
            events.create(execution=execution, event_id=event["id"], previous_event_id=event["previousEventId"],
                          type=event["type"], timestamp=datetime.fromtimestamp(event["timestamp"], timezone.utc),
                          details=next((v for k, v in event.items() if k.endswith("EventDetails")), None))
    finally:
        apps = migrate_to(AFTER)

    stored = apps.get_model("designer", "HistoryEvent").objects.order_by("event_id")
    parallels = {e["run"] for e in RECORDED["history"] if e["event"]["type"] == "ParallelStateEntered"}
    for row, envelope in zip(stored, RECORDED["history"], strict=True):
        assert row.state_run == envelope["run"], envelope["event"]
        if "path" in envelope:  # a run's *StateEntered; the old reading never knew a Parallel branch's index
            path = [[run, None if run in parallels else index] for run, index in envelope["path"]]
            assert (row.path, row.state_name) == (path, row.details["name"]), envelope["event"]
        else:
            assert (row.path, row.state_name) == (None, None), envelope["event"]
