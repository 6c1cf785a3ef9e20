"""The migrations keep an existing database's data: events stored before they carried their
frame path get it worked out (0005_event_frame_path), as the viewer used to guess it; ARNs move to
their owner's account (0007_accounts). Each test leaves the database at the latest migration."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
RECORDED = json.loads((Path(__file__).parent / "histories" / "fanout_retry_catch.json").read_text())
BEFORE, AFTER = ("designer", "0004_task_log"), ("designer", "0005_event_frame_path")
BEFORE_ACCOUNTS, ACCOUNTS = ("designer", "0006_sample_inputs_applied_digests_heartbeats"), ("designer", "0007_accounts")


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


def test_arns_move_to_their_owners_account_and_the_first_admin_keeps_the_shared_one(settings):
    settings.STATELIGHT_ACCOUNT_ID = "123456789012"
    apps = migrate_to(BEFORE_ACCOUNTS)
    users = apps.get_model("auth", "User").objects
    admin = users.create(username="admin", is_superuser=True, is_staff=True)
    alice = users.create(username="alice")
    model = lambda name: apps.get_model("designer", name).objects  # noqa: E731
    old = "arn:aws:states:us-east-1:123456789012"
    child = model("StateMachine").create(arn=f"{old}:stateMachine:child", name="child", region="us-east-1",
                                         owner=alice, definition=PASS)
    parent_definition = json.dumps({"StartAt": "Run", "States": {"Run": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
        "Parameters": {"StateMachineArn": f"{old}:stateMachine:child:2"}, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": f"{old}:activity:work", "End": True}}})
    parent = model("StateMachine").create(arn=f"{old}:stateMachine:parent", name="parent", region="us-east-1",
                                          owner=alice, definition=parent_definition)
    model("StateMachine").create(arn=f"{old}:stateMachine:tool", name="tool", region="us-east-1", owner=admin,
                                 definition=PASS)
    model("Activity").create(arn=f"{old}:activity:work", name="work", region="us-east-1", owner=alice)
    execution = model("Execution").create(arn=f"{old}:execution:parent:one", name="one", machine=parent,
                                          definition=parent_definition, started_at=datetime.now(timezone.utc))
    model("Execution").create(arn=f"{old}:execution:child:c1", name="c1", machine=child, definition=PASS,
                              input=json.dumps({"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": execution.arn}),
                              started_at=datetime.now(timezone.utc))
    model("HistoryEvent").create(execution=execution, event_id=1, previous_event_id=0, type="TaskScheduled",
                                 timestamp=datetime.now(timezone.utc),
                                 details={"parameters": json.dumps({"StateMachineArn": f"{old}:stateMachine:child:2"})})

    apps = migrate_to(ACCOUNTS)
    model = lambda name: apps.get_model("designer", name).objects  # noqa: E731
    account = dict(model("Account").values_list("user__username", "account_id"))
    assert account["admin"] == "123456789012" and account["alice"] != "123456789012"
    new = f"arn:aws:states:us-east-1:{account['alice']}"
    assert set(model("StateMachine").values_list("arn", flat=True)) == {
        f"{new}:stateMachine:child", f"{new}:stateMachine:parent", f"{old}:stateMachine:tool"}
    assert model("Activity").get().arn == f"{new}:activity:work"
    moved = model("StateMachine").get(name="parent").definition
    assert f"{new}:stateMachine:child:2" in moved and f"{new}:activity:work" in moved and old not in moved
    assert model("Execution").get(name="one").arn == f"{new}:execution:parent:one"
    assert json.loads(model("Execution").get(name="c1").input) == {
        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": f"{new}:execution:parent:one"}
    assert f"{new}:stateMachine:child:2" in model("HistoryEvent").get().details["parameters"]


def test_a_one_person_install_keeps_its_arns(settings):
    settings.STATELIGHT_ACCOUNT_ID = "123456789012"
    apps = migrate_to(BEFORE_ACCOUNTS)
    admin = apps.get_model("auth", "User").objects.create(username="admin", is_superuser=True)
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    apps.get_model("designer", "StateMachine").objects.create(arn=arn, name="m", region="us-east-1", owner=admin,
                                                              definition=PASS)
    apps = migrate_to(ACCOUNTS)
    assert apps.get_model("designer", "StateMachine").objects.get().arn == arn
