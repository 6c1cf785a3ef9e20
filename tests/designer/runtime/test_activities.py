"""Activities: workers long-poll GetActivityTask and answer with the token they got."""
import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from designer import accounts, arns
from designer import runtime as rt
from designer.models import Activity, HistoryEvent, TaskToken
from tests.helpers import make_machine

in_memory_db = pytest.mark.django_db(transaction=True)


def in_thread(function):
    """sync_to_async in a fresh thread of this test's loop: asgiref's one shared thread may still
    hold a connection to the database of an earlier test."""
    return sync_to_async(function, thread_sensitive=False)


def activity_machine(machine, activity_arn, **task):
    return machine("UsesActivity", {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": activity_arn, "End": True, **task}}})


@pytest.fixture
def activity(alice):
    arn = arns.arn("activity", "us-east-1", "Packing", account=accounts.account_id(alice))
    return Activity.objects.create(arn=arn, name="Packing", region="us-east-1", owner=alice)


@pytest.fixture
def scheduled(machine, alice, worker, activity):
    """Start an execution whose Work task waits for an activity worker; returns a function."""
    m = activity_machine(machine, activity.arn)

    def schedule(payload):
        execution = rt.start_execution(m, owner=alice, input_text=json.dumps(payload))
        worker.drain()
        return execution

    return schedule


@in_memory_db
async def test_a_waiting_task_is_handed_out_and_answered(scheduled, activity, worker):
    execution = await in_thread(scheduled)({"box": 1})
    token, task_input = await rt.get_activity_task(activity, "packer-1", timeout=5)
    assert json.loads(task_input) == {"box": 1}
    stored = await in_thread(TaskToken.objects.get)(token=token)
    assert (stored.kind, stored.worker_name, stored.started_at is not None) == ("activity", "packer-1", True)
    await in_thread(rt.send_task_success)(token, '{"packed": true}')
    await in_thread(worker.drain)()
    await in_thread(execution.refresh_from_db)()
    assert execution.status == "SUCCEEDED" and json.loads(execution.output) == {"packed": True}
    types = await in_thread(lambda: list(HistoryEvent.objects.filter(execution=execution)
                                         .values_list("type", flat=True)))()
    assert types[1:5] == ["TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]


@in_memory_db
async def test_a_poll_wakes_up_when_a_task_arrives(scheduled, activity):
    poll = asyncio.create_task(rt.get_activity_task(activity, "packer", timeout=30))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await in_thread(scheduled)({"box": 2})
    token, task_input = await asyncio.wait_for(poll, 5)
    assert json.loads(task_input) == {"box": 2}


@in_memory_db
async def test_a_poll_with_nothing_to_do_answers_none(activity):
    assert await rt.get_activity_task(activity, "idle", timeout=0.2) is None


async def test_each_task_goes_to_exactly_one_worker(file_db):
    # pollers in several threads at once: a file database, as in production
    def setup():
        owner = get_user_model().objects.create_user("poller")
        activity = Activity.objects.create(arn=arns.arn("activity", "us-east-1", "Busy", account=accounts.account_id(owner)), name="Busy",
                                           region="us-east-1", owner=owner)
        machine = make_machine(owner, "Busy", {"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": activity.arn, "End": True}}})
        return owner, activity, machine

    def schedule(owner, machine, boxes):
        for box in boxes:
            rt.start_execution(machine, owner=owner, input_text=json.dumps({"box": box}))
        rt.Runtime(inline_tasks=True, worker_id="w").drain()

    owner, activity, machine = await in_thread(setup)()
    polls = [asyncio.create_task(rt.get_activity_task(activity, f"w{i}", timeout=1)) for i in range(6)]
    await asyncio.sleep(0.05)
    await in_thread(schedule)(owner, machine, [3, 4, 5])
    results = await asyncio.gather(*polls)
    handed = sorted(json.loads(r[1])["box"] for r in results if r is not None)
    assert handed == [3, 4, 5]
    names = [r[0] for r in results if r is not None]
    assert len(set(names)) == 3


@in_memory_db
def test_a_missing_activity_fails_the_task(machine, alice, worker):
    m = activity_machine(machine, arns.arn("activity", "us-east-1", "Nobody", account=accounts.account_id(alice)))
    execution = rt.start_execution(m, owner=alice)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "FAILED" and execution.error == "States.Runtime"
    assert "does not exist" in execution.cause


@in_memory_db
def test_an_activity_worker_that_stops_heartbeating_times_out(machine, alice, activity, clock):
    m = activity_machine(machine, activity.arn, HeartbeatSeconds=10)
    execution = rt.start_execution(m, owner=alice)
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.drain()
    token = TaskToken.objects.get(execution=execution).token
    clock.advance(8)
    rt.send_task_heartbeat(token)
    worker.drain()
    clock.advance(8)
    worker.drain()
    assert TaskToken.objects.get(execution=execution).answered_at is None
    clock.advance(3)
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("FAILED", "States.HeartbeatTimeout")
    types = list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))
    assert "ActivityTimedOut" in types
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_success(token, "{}")


@in_memory_db
async def test_the_history_names_the_worker_that_took_the_task(scheduled, activity, worker):
    execution = await in_thread(scheduled)({"box": 9})
    assert await rt.get_activity_task(activity, "packer-9", timeout=5) is not None
    await in_thread(worker.drain)()
    started = await in_thread(HistoryEvent.objects.get)(execution=execution, type="ActivityStarted")
    assert started.details == {"workerName": "packer-9"}
