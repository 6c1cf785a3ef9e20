"""A workflow that never blocks gets a slice per turn, stored, and ends at its limit: AWS's 25,000
events for STANDARD, its 5 minutes for EXPRESS (designer/runtime/limits.py). The runtime's rounds
run in the test's thread (the `worker` fixture), so every assertion is about what was stored."""
import json

import pytest

from designer import runtime as rt
from designer.models import Execution, ExecutionState, HistoryEvent
from designer.runtime import Runtime, limits

pytestmark = pytest.mark.django_db(transaction=True)

# Pass -> Choice -> Pass, forever: the attack of issue 9
LOOP = {"StartAt": "Spin", "States": {
    "Spin": {"Type": "Pass", "Next": "Again"},
    "Again": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Out"}],
              "Default": "Spin"},
    "Out": {"Type": "Succeed"}}}
TWO_TASKS = json.loads(open("examples/two_tasks.asl.json").read())


def event_ids(execution):
    return list(HistoryEvent.objects.filter(execution=execution).order_by("event_id").values_list("event_id", flat=True))


def rounds_until(worker, done, most=200):
    for _ in range(most):
        if done():
            return
        worker.run_once()
    raise AssertionError(f"not done after {most} rounds")


def test_a_standard_loop_is_stored_slice_by_slice_and_fails_at_the_history_limit(machine, worker, alice):
    execution = rt.start_execution(machine("Loop", LOOP), owner=alice)
    worker.drain(timeout=120)
    row = Execution.objects.get(pk=execution.pk)
    assert (row.status, row.error) == ("FAILED", "States.Runtime")
    assert "maximum number of history events (25000)" in row.cause
    assert event_ids(row) == list(range(1, limits.HISTORY_LIMIT + 2))  # ... and ExecutionFailed, no gap
    # in slices: many steps, none of them more than a slice of states
    assert ExecutionState.objects.get(pk=row.pk).revision > limits.HISTORY_LIMIT // (3 * limits.SLICE)


def test_another_execution_finishes_while_a_loop_runs(machine, worker, alice):
    loop = rt.start_execution(machine("Loop", LOOP), owner=alice)
    quick = rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice)
    rounds_until(worker, lambda: Execution.objects.get(pk=quick.pk).status == "SUCCEEDED")
    assert Execution.objects.get(pk=loop.pk).status == "RUNNING"


def test_a_loop_can_be_stopped_between_its_slices(machine, worker, alice):
    execution = rt.start_execution(machine("Loop", LOOP), owner=alice)
    worker.run_once()
    assert Execution.objects.get(pk=execution.pk).status == "RUNNING"
    stopped = rt.stop_execution(execution, error="Enough", cause="it loops", timeout=30)
    assert (stopped.status, stopped.error) == ("ABORTED", "Enough")
    assert event_ids(stopped)[-1] == stopped.last_event_id


def test_a_loop_goes_on_after_a_restart_from_what_was_stored(machine, worker, alice):
    execution = rt.start_execution(machine("Loop", LOOP), owner=alice)
    for _ in range(3):
        worker.run_once()
    state = ExecutionState.objects.get(pk=execution.pk)
    assert state.wake_at is not None and state.lease_owner == ""  # wanted again, by anyone
    restarted = Runtime(inline_tasks=True, worker_id="test:restarted:inline:1")  # nothing in memory
    restarted.drain(timeout=120)
    row = Execution.objects.get(pk=execution.pk)
    assert row.status == "FAILED" and event_ids(row) == list(range(1, limits.HISTORY_LIMIT + 2))


def test_an_express_loop_times_out_keeping_its_first_events_and_its_end(machine, worker, alice, settings):
    # docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: Express, 5 minutes
    settings.STATELIGHT_EXPRESS_MAX_SECONDS = 1
    execution = rt.start_execution(machine("Loop", LOOP, type="EXPRESS"), owner=alice)
    worker.drain(timeout=60)
    row = Execution.objects.get(pk=execution.pk)
    assert (row.status, row.error) == ("TIMED_OUT", "States.Timeout")
    assert "maximum duration (1 s)" in row.cause
    kept = limits.EXPRESS_HISTORY_EVENTS
    assert event_ids(row) == list(range(1, kept + 2)) and row.last_event_id == kept + 1
    closing = HistoryEvent.objects.get(execution=row, event_id=kept + 1)
    assert (closing.type, closing.previous_event_id) == ("ExecutionTimedOut", kept)
    assert closing.details == {"error": "States.Timeout", "cause": row.cause}


def test_a_short_express_execution_keeps_its_whole_history(machine, worker, alice):
    execution = rt.start_execution(machine("Express", TWO_TASKS, type="EXPRESS"), owner=alice)
    worker.drain()
    row = Execution.objects.get(pk=execution.pk)
    assert row.status == "SUCCEEDED"
    types = list(HistoryEvent.objects.filter(execution=row).order_by("event_id").values_list("type", flat=True))
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded" and len(types) == 12


def test_a_sync_express_loop_times_out_at_its_limit(machine, alice, settings):
    settings.STATELIGHT_EXPRESS_MAX_SECONDS = 0.5
    result = rt.start_sync_execution(machine("Loop", LOOP, type="EXPRESS"), owner=alice, input_text="{}")
    assert (result["status"], result["error"]) == ("TIMED_OUT", "States.Timeout")
    assert 0.5 <= result["stopDate"] - result["startDate"]


def test_a_wait_of_zero_seconds_goes_on_in_the_same_step(machine, worker, alice):
    definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
                                               "Done": {"Type": "Succeed"}}}
    execution = rt.start_execution(machine("Nap", definition), owner=alice)
    worker.drain()
    row = Execution.objects.get(pk=execution.pk)
    assert row.status == "SUCCEEDED" and ExecutionState.objects.get(pk=row.pk).revision == 1
    assert len(event_ids(row)) == row.last_event_id == 6
