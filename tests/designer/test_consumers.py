"""The websockets, through the whole ASGI application (origin check, session auth, routing).

alice owns the machines, carol is staff, bob is an outsider. The runtime runs
inline in a worker thread (sync_to_async): what it publishes after each
commit reaches the consumers through the in-memory channel layer, or through
Redis when STATELIGHT_TEST_REDIS_URL is set.
"""
import asyncio
import json
import os
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from designer import runtime as rt
from designer.approvals.decision import decide
from designer.models import TaskToken
from statelight import config
from tests.helpers import FakeClock, make_machine

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("STATELIGHT_TEST_REDIS_URL")
TWO_TASKS = json.loads(Path("examples/two_tasks.asl.json").read_text())
ASK = {"StartAt": "Check", "States": {"Check": {
    "Type": "Task", "Resource": "arn:aws:states:::statelight:approval", "TimeoutSeconds": 60,
    "Parameters": {"Title": "Ship it?"}, "End": True}}}


@pytest.fixture
def application():
    from statelight.asgi import application

    return application


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken=abcdefghijklmnopqrstuvwxyz012345"


async def connect(application, path, user=None, origin="http://testserver", host="testserver", extra=()):
    headers = [(b"host", host.encode())] + [(name.encode(), value.encode()) for name, value in extra]
    if origin:
        headers.append((b"origin", origin.encode()))
    if user is not None:
        headers.append((b"cookie", (await sync_to_async(session_cookie)(user)).encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


def finished_two_tasks(owner):
    execution = rt.start_execution(make_machine(owner, "TwoTasks", TWO_TASKS), owner=owner, input_text='{"n": 1}')
    rt.Runtime(inline_tasks=True, worker_id="test:consumers").drain()
    return execution


async def events_until(communicator, last_id, timeout=10):
    """Every event (AWS's) received until `last_id` arrives."""
    received = []
    while not received or received[-1]["id"] < last_id:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == "events":
            received.extend(message["events"])
    return received


async def test_it_refuses_a_visitor_who_is_not_logged_in(application, alice):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/")
    assert not connected


async def test_it_refuses_a_user_who_may_not_see_the_execution(application, alice, bob):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/", bob)
    assert not connected
    communicator, connected = await connect(application, "/ws/executions/999999/", alice)
    assert not connected


async def test_it_refuses_another_sites_page(application, alice):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/", alice,
                                            origin="http://evil.example")
    assert not connected
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/", alice, origin=None)
    assert not connected


async def test_it_replays_the_stored_events_after_last_event_id(application, alice, carol):
    execution = await sync_to_async(finished_two_tasks)(alice)
    for user in (alice, carol):  # the owner, and staff
        communicator, connected = await connect(
            application, f"/ws/executions/{execution.pk}/?last_event_id=5", user)
        assert connected
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "events"
        events = message["events"]
        assert [event["id"] for event in events] == list(range(6, 13))
        assert events[-1]["type"] == "ExecutionSucceeded"
        assert json.loads(events[-1]["executionSucceededEventDetails"]["output"])["n"] == 1
        assert await communicator.receive_nothing(0.05)
        await communicator.disconnect()


async def test_it_replays_everything_to_a_new_viewer_as_get_execution_history_says_it_and_where(application, alice):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    message = await communicator.receive_json_from(timeout=5)
    events, runs = message["events"], message["runs"]
    assert [e["id"] for e in events] == list(range(1, 13))
    assert set(events[0]) == {"timestamp", "type", "id", "previousEventId", "executionStartedEventDetails"}
    assert isinstance(events[0]["timestamp"], float)
    # beside each event its state run: none for the execution's own; FirstTask's TaskStateEntered (2)
    # opens one, at the top level, and its next events belong to it; SecondTask's (7) the same
    assert runs == [None, 2, 2, 2, 2, 2, 7, 7, 7, 7, 7, None]
    assert message["paths"] == {"2": [], "7": []}
    await communicator.disconnect()


async def test_it_streams_new_events_as_the_runtime_commits_them(application, alice):
    machine = await sync_to_async(make_machine)(alice, "TwoTasks", TWO_TASKS)
    execution = await sync_to_async(rt.start_execution)(machine, owner=alice)
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    assert connected
    assert await communicator.receive_nothing(0.05)  # nothing stored yet
    await sync_to_async(rt.Runtime(inline_tasks=True, worker_id="test:live").drain)()
    live = []
    while len(live) < 12:
        message = await communicator.receive_json_from(timeout=10)
        live += zip(message["events"], message["runs"])
    assert [e["id"] for e, _ in live] == list(range(1, 13))
    assert live[-1][0]["type"] == "ExecutionSucceeded"
    await communicator.disconnect()
    # published as stored: a replay gives the very same
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    replayed = await communicator.receive_json_from(timeout=5)
    assert list(zip(replayed["events"], replayed["runs"])) == live
    await communicator.disconnect()


async def test_it_replays_on_request_when_the_browser_sees_a_hole(application, alice):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/?last_event_id=12", alice)
    assert await communicator.receive_nothing(0.05)
    await communicator.send_json_to({"type": "replay", "after": 9})
    message = await communicator.receive_json_from(timeout=5)
    assert [e["id"] for e in message["events"]] == [10, 11, 12]
    await communicator.send_json_to({"type": "replay", "after": "nonsense"})
    assert await communicator.receive_nothing(0.05)
    await communicator.disconnect()


async def test_the_executions_list_hears_of_starts_and_ends(application, alice, bob):
    machine = await sync_to_async(make_machine)(alice, "TwoTasks", TWO_TASKS)
    communicator, connected = await connect(application, f"/ws/machines/{machine.pk}/executions/", bob)
    assert not connected
    communicator, connected = await connect(application, f"/ws/machines/{machine.pk}/executions/", alice)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "executions", "executions": []}
    execution = await sync_to_async(rt.start_execution)(machine, owner=alice, name="first")
    await sync_to_async(rt.Runtime(inline_tasks=True, worker_id="test:list").drain)()
    statuses = []
    while "SUCCEEDED" not in statuses:
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "execution"
        assert (message["execution"]["pk"], message["execution"]["name"]) == (execution.pk, "first")
        assert message["execution"]["url"] == f"/executions/{execution.pk}/"
        statuses.append(message["execution"]["status"])
    assert statuses == ["RUNNING", "SUCCEEDED"]
    await communicator.disconnect()
    # a reconnecting list catches up with a snapshot
    communicator, _ = await connect(application, f"/ws/machines/{machine.pk}/executions/", alice)
    snapshot = await communicator.receive_json_from(timeout=5)
    assert [(e["name"], e["status"]) for e in snapshot["executions"]] == [("first", "SUCCEEDED")]
    await communicator.disconnect()


async def test_the_inbox_hears_what_opens_and_closes_not_the_whole_inbox(application, alice, carol):
    communicator, connected = await connect(application, "/ws/approvals/")
    assert not connected
    communicator, connected = await connect(application, "/ws/approvals/", carol)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "inbox", "count": 0, "cards": [],
                                                                 "decided": []}

    clock = FakeClock()
    worker = rt.Runtime(inline_tasks=True, worker_id="test:inbox", clock=clock)
    machine = await sync_to_async(make_machine)(alice, "Ask", ASK)
    await sync_to_async(rt.start_execution)(machine, owner=alice)
    await sync_to_async(worker.drain)()
    opened = await communicator.receive_json_from(timeout=5)
    approval = await sync_to_async(TaskToken.objects.get)(kind="approval")
    assert (opened["type"], opened["id"], opened["count"]) == ("opened", approval.pk, 1)
    assert "Ship it?" in opened["html"] and f'action="/approvals/{approval.pk}/decide"' in opened["html"]
    assert 'name="csrfmiddlewaretoken"' in opened["html"]  # the card's form posts from the page

    await sync_to_async(decide)(approval.pk, carol, "Approve", "ship")
    closed = await communicator.receive_json_from(timeout=5)
    assert (closed["type"], closed["id"], closed["count"]) == ("closed", approval.pk, 0)
    assert "Approve" in closed["decided"] and "ship" in closed["decided"]  # the decision's row
    await sync_to_async(worker.drain)()

    # no decision: the task times out, and the inbox hears it from the execution's events
    await sync_to_async(rt.start_execution)(machine, owner=alice)
    await sync_to_async(worker.drain)()
    second = await communicator.receive_json_from(timeout=5)
    assert (second["type"], second["count"]) == ("opened", 1)
    clock.advance(61)
    await sync_to_async(worker.drain)()
    assert await communicator.receive_json_from(timeout=5) == {
        "type": "closed", "id": second["id"], "count": 0, "decided": None}
    assert await communicator.receive_nothing(0.2)
    await communicator.disconnect()

    # a new visit gets the whole inbox once: no card, the decision made earlier
    communicator, _ = await connect(application, "/ws/approvals/", carol)
    everything = await communicator.receive_json_from(timeout=5)
    assert (everything["type"], everything["count"], everything["cards"]) == ("inbox", 0, [])
    [row] = everything["decided"]
    assert "ship" in row
    await communicator.disconnect()


async def test_the_viewer_hears_when_the_pending_tasks_change(application, alice, carol):
    machine = await sync_to_async(make_machine)(alice, "Ask", ASK)
    execution = await sync_to_async(rt.start_execution)(machine, owner=alice)
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    worker = rt.Runtime(inline_tasks=True, worker_id="test:tasks")
    await sync_to_async(worker.drain)()
    seen = []
    while {"type": "tasks"} not in seen:
        seen.append(await communicator.receive_json_from(timeout=5))
    approval = await sync_to_async(TaskToken.objects.get)(kind="approval")
    await sync_to_async(decide)(approval.pk, carol, "Approve")
    assert await communicator.receive_json_from(timeout=5) == {"type": "tasks"}
    await communicator.disconnect()


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = config.channel_layers(REDIS_URL)
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.skipif(not REDIS_URL, reason="STATELIGHT_TEST_REDIS_URL is not set (.ci/run sets it)")
async def test_it_streams_through_redis(application, alice, redis_layer):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    machine = await sync_to_async(make_machine)(alice, "TwoTasks", TWO_TASKS)
    execution = await sync_to_async(rt.start_execution)(machine, owner=alice)
    communicator, connected = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    assert connected
    await sync_to_async(rt.Runtime(inline_tasks=True, worker_id="test:redis").drain)()
    events = await events_until(communicator, 12)
    assert [e["id"] for e in events] == list(range(1, 13))
    await communicator.disconnect()
    await layer.close_pools()


@pytest.mark.skipif(not REDIS_URL, reason="STATELIGHT_TEST_REDIS_URL is not set (.ci/run sets it)")
async def test_a_publisher_on_a_loop_of_its_own_reaches_the_viewer_through_redis(application, alice, redis_layer):
    # as a `statelight_worker` process does: a plain thread, so publish() sends from its own loop
    from channels.layers import get_channel_layer

    machine = await sync_to_async(make_machine)(alice, "TwoTasks", TWO_TASKS)
    execution = await sync_to_async(rt.start_execution)(machine, owner=alice)
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    await asyncio.to_thread(rt.Runtime(inline_tasks=True, worker_id="test:redis2").drain)
    events = await events_until(communicator, 12)
    assert [e["id"] for e in events] == list(range(1, 13))
    await communicator.disconnect()
    layer = get_channel_layer()
    for loop, loop_layer in list(layer._layers.items()):  # each loop's connections, closed on their loop
        if loop is asyncio.get_running_loop():
            await loop_layer.flush()
        elif not loop.is_closed():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(loop_layer.flush(), loop))


async def test_a_viewer_that_reconnects_gets_only_what_it_missed(application, alice):
    execution = await sync_to_async(finished_two_tasks)(alice)
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/", alice)
    first = (await communicator.receive_json_from(timeout=5))["events"]
    await communicator.disconnect()
    last = first[-1]["id"]
    communicator, _ = await connect(application, f"/ws/executions/{execution.pk}/?last_event_id={last}", alice)
    assert await communicator.receive_nothing(0.1)
    await communicator.disconnect()
    await asyncio.sleep(0)
