"""advance(): one step, one transaction; history, frames, effects, leases, timers."""
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from designer import runtime as rt
from designer.models import Effect, Execution, ExecutionFrame, ExecutionState, HistoryEvent, InboxItem
from designer.runtime import publish, store

pytestmark = pytest.mark.django_db(transaction=True)

TWO_TASKS = json.loads(open("examples/two_tasks.asl.json").read())
PARALLEL = json.loads(open("examples/parallel.asl.json").read())


@pytest.fixture
def published(monkeypatch):
    messages = []
    monkeypatch.setattr(publish, "publish", lambda batch: messages.extend(batch))
    return messages


def history(execution):
    return list(HistoryEvent.objects.filter(execution=execution).order_by("event_id"))


def test_it_runs_the_seeds_two_tasks_to_the_end(machine, worker, alice):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice, '{"order": 1}')
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {
        "order": 1, "greeting": "Hello from FirstFunction", "farewell": "Goodbye from SecondFunction"}
    events = history(execution)
    assert [e.event_id for e in events] == list(range(1, len(events) + 1))
    assert events[0].type == "ExecutionStarted" and events[-1].type == "ExecutionSucceeded"
    assert execution.last_event_id == len(events)
    state = ExecutionState.objects.get(pk=execution.pk)
    assert execution.stopped_at is not None and state.wake_at is None
    assert state.lease_owner == ""
    # nothing outstanding is left behind
    assert not Effect.objects.filter(execution=execution).exists()
    assert not InboxItem.objects.filter(execution=execution).exists()


def runtime_start(machine, owner, input_text="{}", **options):
    return rt.start_execution(machine, owner=owner, input_text=input_text, **options)


def test_it_stores_details_in_the_aws_wire_shape(machine, worker, alice):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice, '{"order": 1}')
    worker.drain()
    started = history(execution)[0].to_dict()
    assert started["executionStartedEventDetails"]["input"] == '{"order":1}'
    assert started["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert started["previousEventId"] == 0 and started["id"] == 1


def test_it_publishes_each_event_after_commit_and_a_summary_per_machine(machine, worker, alice, published):
    m = machine("TwoTasks", TWO_TASKS)
    # someone lists the machine's executions (a summary is made only for a list that may listen)
    async_to_sync(get_channel_layer().group_add)(f"machine-{m.pk}", "lists.test")
    execution = runtime_start(m, alice)
    worker.drain()
    messages = [message for group, message in published if group == f"execution-{execution.pk}"]
    assert all(message["type"] == "execution.event" for message in messages)
    # published as stored: each message holds what a replay from the store gives
    assert [message["event"] for message in messages] == [e.envelope() for e in history(execution)]
    assert messages[-1]["event"]["event"]["type"] == "ExecutionSucceeded"
    summaries = [message for group, message in published if group == f"machine-{m.pk}"]
    assert [s["execution"]["status"] for s in summaries] == ["RUNNING", "SUCCEEDED"]
    assert summaries[-1]["execution"]["executionArn"] == execution.arn
    assert summaries[-1]["execution"]["stopDate"] >= summaries[-1]["execution"]["startDate"]
    async_to_sync(get_channel_layer().group_discard)(f"machine-{m.pk}", "lists.test")


def test_it_keeps_one_frame_row_per_engine_frame_and_drops_finished_branches(machine, worker, alice):
    execution = runtime_start(machine("Parallel", PARALLEL), alice)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == [{"task": "TaskA", "input": {}}, {"task": "TaskB", "input": {}}]
    # the branches' frames were forgotten when the Parallel state ended
    assert ExecutionFrame.objects.filter(execution=execution).count() == 1


def test_a_worker_restores_an_execution_another_worker_advanced(machine, alice):
    definition = {"StartAt": "Wait", "States": {
        "Wait": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Parameters": {"FunctionName": "Nobody", "Payload": {"token.$": "$$.Task.Token"}}, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "done", "End": True}}}
    from engine import task_handler

    task_handler("Nobody")(lambda task_input, context: None)
    execution = runtime_start(machine("Callback", definition), alice)
    first = rt.Runtime(inline_tasks=True, worker_id="first")
    first.drain()
    token = Effect.objects.get(execution=execution, kind="task").payload["token"]
    rt.send_task_success(token, '{"ok": true}')
    # a different worker (empty memory) continues from the stored frames
    second = rt.Runtime(inline_tasks=True, worker_id="second")
    second.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert [e.event_id for e in history(execution)] == list(range(1, execution.last_event_id + 1))


def test_it_does_not_advance_an_execution_another_worker_holds(machine, alice):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice)
    assert store.claim([execution.pk], "someone-else", now=store.time.time(), lease_seconds=60) == [execution.pk]
    assert store.advance(execution.pk, "me") is None
    assert InboxItem.objects.filter(execution=execution).count() == 1


def test_it_takes_over_an_expired_lease(machine, alice):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice)
    store.claim([execution.pk], "someone-else", now=store.time.time() - 120, lease_seconds=60)
    assert store.advance(execution.pk, "me") is not None
    assert Execution.objects.get(pk=execution.pk).last_event_id == 4


def test_a_step_written_by_someone_else_in_between_is_not_overwritten(machine, alice):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice)
    rows, items = store.load(store.claim([execution.pk], "me", now=store.time.time()))
    ExecutionState.objects.filter(pk=execution.pk).update(revision=7)  # another writer's step
    with pytest.raises(store.LeaseLost):
        store.advance_claimed(rows[execution.pk], items[execution.pk], "me")
    assert not HistoryEvent.objects.filter(execution=execution).exists()
    assert InboxItem.objects.filter(execution=execution).count() == 1


def test_a_wait_is_a_timer_row_and_a_wake_up_time(machine, alice, clock):
    definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    execution = runtime_start(machine("Nap", definition), alice)
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "RUNNING"
    timer = Effect.objects.get(execution=execution)
    assert timer.kind == "timer" and timer.payload == {"purpose": "wait", "state": "Nap"}
    assert ExecutionState.objects.get(pk=execution.pk).wake_at == timer.due_at
    assert timer.due_at.timestamp() == pytest.approx(clock.now + 3600)
    clock.advance(3599)
    worker.drain()
    assert Execution.objects.get(pk=execution.pk).status == "RUNNING"
    clock.advance(1)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED" and ExecutionState.objects.get(pk=execution.pk).wake_at is None
    assert not Effect.objects.filter(execution=execution).exists()


def test_retry_intervals_are_timers(machine, alice, clock):
    definition = {"StartAt": "Flaky", "States": {"Flaky": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:UnreliableFunction",
        "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2}],
        "End": True}}}
    execution = runtime_start(machine("Flaky", definition), alice, '{"failures": 2}')
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.drain()
    assert Effect.objects.get(execution=execution).payload["purpose"] == "retry"
    clock.advance(5)
    worker.drain()
    clock.advance(10)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"succeededOnAttempt": 3}


def test_a_task_timeout_fires_from_the_store(machine, alice, clock):
    definition = {"StartAt": "Slow", "States": {"Slow": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 30,
        "Parameters": {"FunctionName": "Nobody", "Payload": {"t.$": "$$.Task.Token"}}, "End": True}}}
    from engine import task_handler

    task_handler("Nobody")(lambda task_input, context: None)
    execution = runtime_start(machine("Slow", definition), alice)
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.drain()
    clock.advance(30)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "FAILED" and execution.error == "States.Timeout"
    assert [e.type for e in history(execution)][-2:] == ["TaskTimedOut", "ExecutionFailed"]


def test_a_standard_execution_fails_at_25000_history_events(machine, alice, worker):
    definition = {"StartAt": "Loop", "States": {
        "Loop": {"Type": "Pass", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "BooleanEquals": True, "Next": "End"}],
                  "Default": "Loop"},
        "End": {"Type": "Succeed"}}}
    execution = runtime_start(machine("Forever", definition), alice, '{"stop": false}')
    worker.drain(timeout=120)
    execution.refresh_from_db()
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "maximum number of history events (25000)" in execution.cause
    events = history(execution)
    assert [e.event_id for e in events] == list(range(1, execution.last_event_id + 1))
    assert 25_000 < len(events) <= 25_002  # the engine closes the state it was in (lead: one event too many)
    assert "ExecutionFailed" in [e.type for e in events[-2:]]


def test_an_engine_crash_fails_the_execution_with_a_closing_event(machine, alice, worker, monkeypatch):
    execution = runtime_start(machine("TwoTasks", TWO_TASKS), alice)
    worker.drain()
    execution.refresh_from_db()
    first_run_end = execution.last_event_id
    execution2 = runtime_start(machine("TwoTasks2", TWO_TASKS), alice)

    def broken(self):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("engine.Execution.start", broken)
    worker.drain()
    execution2.refresh_from_db()
    assert first_run_end == 12
    assert execution2.status == "FAILED" and "ZeroDivisionError: boom" in execution2.cause
    assert [e.type for e in history(execution2)] == ["ExecutionFailed"]


MIXED = {"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "Next": "Each", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:TaskA",
                                          "End": True}}},
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "Next": "B"},
                                      "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:TaskB",
                                            "End": True}}}]},
    "Each": {"Type": "Map", "ItemsPath": "$", "MaxConcurrency": 1, "End": True, "ItemProcessor": {
        "StartAt": "One", "States": {"One": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:TaskA",
                                             "End": True}}}}}}


@pytest.mark.parametrize("definition", [TWO_TASKS, PARALLEL, MIXED], ids=["chain", "parallel", "mixed"])
def test_a_step_restored_from_the_store_goes_on_as_one_kept_in_memory(machine, alice, definition):
    outcomes = []
    for n, keep_in_memory in enumerate((True, False)):
        execution = runtime_start(machine(f"M{n}", definition), alice)
        worker = rt.Runtime(inline_tasks=True, worker_id=f"w{n}", clock=FixedClock())
        if not keep_in_memory:
            worker.cache = None  # every step restores from engine_state + frame rows
        for _ in range(20):
            worker.clock.now += 5
            worker.drain()
        execution.refresh_from_db()
        outcomes.append((execution.status, execution.output, [e.type for e in history(execution)]))
    assert outcomes[0][0] == "SUCCEEDED"
    assert outcomes[0] == outcomes[1]


class FixedClock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now
