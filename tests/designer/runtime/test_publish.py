"""Events reach the channel layer from the runtime's threads, after commit, in order."""
import asyncio
import json
import threading

import pytest
from channels.layers import get_channel_layer

from designer import runtime as rt
from designer.runtime import publish

pytestmark = pytest.mark.django_db(transaction=True)

TWO_TASKS = json.loads(open("examples/two_tasks.asl.json").read())


@pytest.fixture
def server_loop():
    """An event loop in its own thread, standing for Daphne's."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    publish.use_loop(loop)
    yield loop
    publish.use_loop(None)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def on(loop, coroutine, timeout=10):
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


def test_the_in_memory_layer_receives_every_event_from_the_servers_loop(machine, alice, worker, server_loop):
    layer = get_channel_layer()
    m = machine("TwoTasks", TWO_TASKS)
    machine_channel = on(server_loop, layer.new_channel())
    on(server_loop, layer.group_add(f"machine-{m.pk}", machine_channel))
    execution = rt.start_execution(m, owner=alice)
    execution_channel = on(server_loop, layer.new_channel())
    on(server_loop, layer.group_add(f"execution-{execution.pk}", execution_channel))
    worker.drain()

    ids = []
    while len(ids) < 12:
        message = on(server_loop, layer.receive(execution_channel))
        assert message["type"] == "execution.event"
        ids.append(message["event"]["event"]["id"])
    assert ids == list(range(1, 13))
    changed = [on(server_loop, layer.receive(machine_channel)) for _ in range(2)]
    assert [m["execution"]["status"] for m in changed] == ["RUNNING", "SUCCEEDED"]
    assert changed[1]["execution"]["name"] == execution.name


def test_nothing_is_published_for_a_step_that_did_not_commit(machine, alice, monkeypatch):
    sent = []
    monkeypatch.setattr(publish, "publish", lambda batch: sent.extend(batch))
    execution = rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice)
    from designer.models import ExecutionState
    from designer.runtime import store

    rows, items = store.load(store.claim([execution.pk], "me", now=store.time.time()))
    ExecutionState.objects.filter(pk=execution.pk).update(revision=3)
    with pytest.raises(store.LeaseLost):
        store.advance_claimed(rows[execution.pk], items[execution.pk], "me")
    assert sent == []


def test_what_waits_to_be_sent_is_bounded(monkeypatch, server_loop):
    # a loop held busy stands for one too busy to send: past the bound, batches are dropped
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append(message["n"])

    monkeypatch.setattr(publish, "MAX_IN_FLIGHT", 3)
    monkeypatch.setattr(publish, "get_channel_layer", Layer)
    busy = threading.Event()
    server_loop.call_soon_threadsafe(busy.wait, 10)
    futures = [publish.publish([("execution-1", {"type": "execution.event", "n": n})]) for n in range(5)]
    busy.set()
    for future in futures[:3]:
        future.result(10)
    assert futures[3:] == [None, None] and sent == [0, 1, 2]
    assert publish.publish([("execution-1", {"type": "execution.event", "n": 5})]).result(10) is None
    assert sent == [0, 1, 2, 5]  # sending again once the loop caught up
