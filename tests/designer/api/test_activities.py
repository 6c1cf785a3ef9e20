"""Activities (Create/Describe/Delete/ListActivities), their workers (GetActivityTask,
SendTask*), and callbacks answered with SendTaskSuccess/Failure."""
import json
import threading
import time

import pytest

from designer import accounts
from designer import runtime as rt
from designer.models import Execution

from . import handlers

CALLBACK = json.dumps({"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "https://sqs.example/q", "MessageBody": {"token.$": "$$.Task.Token"}},
    "End": True}}})


def activity_machine(activity_arn, heartbeat=None):
    task = {"Type": "Task", "Resource": activity_arn, "End": True}
    if heartbeat:
        task["HeartbeatSeconds"] = heartbeat
    return json.dumps({"StartAt": "Work", "States": {"Work": task}})


def finished(sfn, arn):
    rt.wait_for_execution(Execution.objects.get(arn=arn), timeout=30)
    return sfn.describe_execution(executionArn=arn)


@pytest.fixture(autouse=True)
def no_tokens_yet():
    handlers.sent_tokens.clear()
    handlers.token_sent.clear()


def sent_token():
    """The tokens the callback task sent, once it has sent one."""
    assert handlers.token_sent.wait(10)
    return list(handlers.sent_tokens)


@pytest.fixture
def quick_polls(settings):
    settings.STATELIGHT_ACTIVITY_POLL_SECONDS = 0.3


def test_it_creates_describes_lists_and_deletes_activities(sfn, alice):
    arn = sfn.create_activity(name="bake")["activityArn"]
    assert arn == f"arn:aws:states:us-east-1:{accounts.account_id(alice)}:activity:bake"
    assert sfn.create_activity(name="bake")["activityArn"] == arn  # idempotent by name
    with pytest.raises(sfn.exceptions.ActivityAlreadyExists):
        sfn.create_activity(name="bake", tags=[{"key": "other", "value": "tags"}])
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["activityArn"]) == ("bake", arn)
    sfn.create_activity(name="deliver")
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["bake", "deliver"]
    assert [a["name"] for a in sfn.list_activities(maxResults=1)["activities"]] == ["bake"]
    sfn.delete_activity(activityArn=arn)
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_activity(activityArn="arn:aws:states:us-east-1:123456789012:stateMachine:bake")


def test_activity_names_are_per_account(sfn, client_for, alice, bob):
    alices = sfn.create_activity(name="bake")["activityArn"]
    as_bob = client_for(bob)
    bobs = as_bob.create_activity(name="bake")["activityArn"]  # not ActivityAlreadyExists: another account
    assert bobs != alices and accounts.account_id(bob) in bobs
    assert [a["activityArn"] for a in as_bob.list_activities()["activities"]] == [bobs]
    with pytest.raises(as_bob.exceptions.ActivityDoesNotExist):
        as_bob.describe_activity(activityArn=alices)


def test_it_hands_a_worker_the_task_and_takes_its_heartbeat_and_answer(sfn, create, runtime):
    activity = sfn.create_activity(name="bake")["activityArn"]
    machine = create("baking", activity_machine(activity, heartbeat=60))
    arn = sfn.start_execution(stateMachineArn=machine, input='{"pizza": "margherita"}')["executionArn"]
    # the worker loop: poll, work (with a heartbeat), answer
    task = sfn.get_activity_task(activityArn=activity, workerName="oven-1")
    assert json.loads(task["input"]) == {"pizza": "margherita"}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"baked": true}')
    described = finished(sfn, arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"baked": True})
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types.index("ActivityScheduled") < types.index("ActivitySucceeded")
    # a token answers once
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")


def test_it_names_the_worker_that_took_the_task_in_the_history(sfn, create, runtime):
    activity = sfn.create_activity(name="bake")["activityArn"]
    arn = sfn.start_execution(stateMachineArn=create("baking", activity_machine(activity)))["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="oven-1")
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    finished(sfn, arn)
    events = sfn.get_execution_history(executionArn=arn)["events"]
    types = [e["type"] for e in events]
    assert types[types.index("ActivityScheduled"):types.index("ActivitySucceeded") + 1] == [
        "ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    started = next(e for e in events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == "oven-1"


def test_it_fails_the_task_a_worker_reports_failed(sfn, create, runtime):
    activity = sfn.create_activity(name="bake")["activityArn"]
    arn = sfn.start_execution(stateMachineArn=create("baking", activity_machine(activity)))["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="OvenBroken", cause="no gas")
    described = finished(sfn, arn)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "OvenBroken", "no gas")


def test_it_answers_an_idle_poll_without_a_token(sfn, quick_polls):
    activity = sfn.create_activity(name="idle")["activityArn"]
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)


def test_it_hands_a_waiting_long_poll_the_task_that_arrives(sfn, client_for, alice, create, runtime, settings):
    settings.STATELIGHT_ACTIVITY_POLL_SECONDS = 20
    activity = sfn.create_activity(name="bake")["activityArn"]
    machine = create("baking", activity_machine(activity))
    got = {}
    worker = client_for(alice)  # a client of its own, as another process would have
    poll = threading.Thread(target=lambda: got.update(worker.get_activity_task(activityArn=activity)))
    poll.start()
    time.sleep(0.2)  # let the poll start waiting before the task exists
    begun = time.monotonic()
    sfn.start_execution(stateMachineArn=machine, input='{"late": true}')
    poll.join(20)
    assert json.loads(got["input"]) == {"late": True}
    assert time.monotonic() - begun < 10


def test_it_refuses_polls_and_answers_for_other_users(sfn, create, client_for, bob, runtime, quick_polls):
    activity = sfn.create_activity(name="bake")["activityArn"]
    as_bob = client_for(bob)
    with pytest.raises(as_bob.exceptions.ActivityDoesNotExist):
        as_bob.get_activity_task(activityArn=activity)
    sfn.start_execution(stateMachineArn=create("baking", activity_machine(activity)))
    token = sfn.get_activity_task(activityArn=activity)["taskToken"]
    with pytest.raises(as_bob.exceptions.TaskDoesNotExist):
        as_bob.send_task_success(taskToken=token, output="{}")


def test_it_refuses_bad_answers(sfn, create, runtime):
    activity = sfn.create_activity(name="bake")["activityArn"]
    sfn.start_execution(stateMachineArn=create("baking", activity_machine(activity)))
    token = sfn.get_activity_task(activityArn=activity)["taskToken"]
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=token, output="{not json")
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=token, output=json.dumps({"x": "y" * (256 * 1024)}))
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken="A" * 64, output="{}")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_heartbeat(taskToken="not a token!")
    sfn.send_task_success(taskToken=token, output="{}")  # still answerable after the refusals


def test_it_waits_in_a_callback_task_for_send_task_success(sfn, create, runtime):
    arn = sfn.start_execution(stateMachineArn=create("asks", CALLBACK), input='{"q": 1}')["executionArn"]
    [token] = sent_token()
    assert len(token) >= 22  # >= 128 random bits
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"answer": 42}')
    described = finished(sfn, arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"answer": 42})


def test_it_fails_a_callback_task_with_send_task_failure(sfn, create, runtime):
    arn = sfn.start_execution(stateMachineArn=create("asks", CALLBACK))["executionArn"]
    [token] = sent_token()
    sfn.send_task_failure(taskToken=token, error="Rejected", cause="said no")
    described = finished(sfn, arn)
    assert (described["status"], described["error"]) == ("FAILED", "Rejected")
