"""Slices, deadlines and flat memory: an execution that never blocks (a Pass -> Choice loop) must
neither hold its caller forever nor grow without bound (issue 9 §1)."""
import gc
import json
import tracemalloc

import pytest

import engine
from engine import cli, runner
from engine.effects import Cancel, InvokeTask

from .drive import Clock, machine, run_mixed

LOOP = {"A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "C"}], "Default": "A"},
        "C": {"Type": "Succeed"}}

ECHO = "arn:aws:lambda:us-east-1:123456789012:function:Echo"
# Everything that could pile up per turn of a loop: a Parallel with a retried task whose timeout
# timer is cancelled every time, a Map with variables in each iteration, Assign at the top.
BUSY_LOOP = {
    "A": {"Type": "Parallel", "ResultPath": None, "Assign": {"n.$": "$[1]"}, "Next": "B", "Branches": [
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ECHO, "TimeoutSeconds": 100,
                                          "Retry": [{"ErrorEquals": ["Flaky"]}], "End": True}}},
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"v.$": "$"}, "End": True}}}}}}]},
    "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "C"}], "Default": "A"},
    "C": {"Type": "Succeed"},
}


class TickingClock(Clock):
    """A fake clock that moves `tick` seconds each time it is read: time passes only by working."""

    def __init__(self, tick):
        super().__init__()
        self.tick = tick

    def __call__(self):
        self.now += self.tick
        return self.now


def test_a_budget_ends_each_advance_after_that_many_states_and_proceed_continues():
    ex = engine.Execution(machine(LOOP, start="A"), {}, clock=Clock(), budget=100)
    step = ex.start()
    for _ in range(5):
        entered = [e for e in step.events if e.type.endswith("StateEntered")]
        assert step.more and ex.more and ex.status == "RUNNING"
        assert 0 < len(entered) <= 100
        step = ex.proceed()


@pytest.mark.parametrize("budget", [1, 2, 3, 4])
def test_slices_change_nothing_and_a_snapshot_at_a_pause_continues_identically(budget):
    straight = run_mixed(restore_each_step=False)
    assert straight[0] == "SUCCEEDED" and straight[3] == 0
    sliced = run_mixed(restore_each_step=False, budget=budget)
    assert sliced[:3] == straight[:3] and sliced[3] > 0
    assert run_mixed(restore_each_step=True, budget=budget)[:3] == straight[:3]
    assert run_mixed(restore_each_step=True, through_changes=True, budget=budget)[:3] == straight[:3]


def test_an_express_execution_that_loops_times_out_at_its_maximum_duration():
    clock = TickingClock(tick=1.0)
    ex = engine.Execution(machine(LOOP, start="A"), {}, clock=clock, max_duration=300)
    ex.start()
    # one advance, no budget: the deadline is seen inside the loop, not only when the timer fires
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")
    assert "maximum duration (300 s)" in ex.cause


def test_timeout_seconds_ends_a_loop_timed_out_with_an_execution_timed_out_event():
    clock = TickingClock(tick=0.5)
    ex = engine.Execution(machine(LOOP, start="A", TimeoutSeconds=60), {}, clock=clock, max_duration=300, budget=1000)
    events = []
    step = ex.start()
    while True:
        events += step.events
        if not step.more:
            break
        step = ex.proceed()
    assert (ex.status, events[-1].type) == ("TIMED_OUT", "ExecutionTimedOut")
    assert events[-1].details == {"error": "States.Timeout",
                                  "cause": "The execution ran longer than the state machine's TimeoutSeconds (60 s)."}
    assert isinstance(step.effects[-1], Cancel)  # the execution_timeout timer, no longer needed


def test_a_redriven_timed_out_execution_has_its_time_limit_again():
    clock = TickingClock(tick=1.0)
    ex = engine.Execution(machine(LOOP, start="A", TimeoutSeconds=30), {}, clock=clock)
    ex.start()
    assert ex.status == "TIMED_OUT"
    redriven_at = clock.now
    ex.redrive()
    assert ex.status == "TIMED_OUT" and ex.deadline >= redriven_at + 30


def test_drive_keeps_nothing_per_transition_of_a_loop_that_records_no_events():
    clock = runner.VirtualClock(1_700_000_000.0)
    ex = engine.Execution(machine(BUSY_LOOP, start="A"), {"items": list(range(10))}, clock=clock, record_events=False)
    calls, sizes = [0], {}

    def answer(effect):
        calls[0] += 1
        if calls[0] in (300, 3000):
            gc.collect()  # cycles through caught exceptions are garbage, not growth
            sizes[calls[0]] = tracemalloc.get_traced_memory()[0]
            structures = (ex.frames, ex.pending, ex._dirty, ex._ready)
            assert max(map(len, structures)) < 40, [len(s) for s in structures]
        if calls[0] == 3000:
            clock.now = 2e9  # past the caller's deadline: stop here
        if calls[0] % 7 == 0:
            return ex.fail(effect.id, "Flaky", "again")
        return ex.complete(effect.id, effect.input)

    tracemalloc.start()
    try:
        ending = runner.drive(ex, ex.start(), answer, clock=clock, deadline=1.9e9)
    finally:
        tracemalloc.stop()
    assert ending == runner.DEADLINE
    # ten times the turns, the same memory (allocator noise aside)
    assert sizes[3000] - sizes[300] < 32 * 1024, sizes


def test_a_standard_loop_stops_at_the_history_limit_in_slices():
    ex = engine.Execution(machine(LOOP, start="A"), {}, clock=Clock(), history_limit=25_000, record_events=False)
    assert runner.drive(ex, ex.start(), answer=None) == runner.ENDED
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime") and ex.next_event_id - 1 == 25_001  # the limit, then ExecutionFailed


def test_the_cli_ends_an_express_loop_timed_out_at_five_minutes(tmp_path, monkeypatch, capsys):
    fake = TickingClock(tick=1.0)
    monkeypatch.setattr(runner.time, "time", fake)
    definition = tmp_path / "loop.asl.json"
    definition.write_text(json.dumps({"StartAt": "A", "States": LOOP}))
    assert cli.main(["run", str(definition), "--type", "EXPRESS"]) == cli.EXIT_NOT_SUCCEEDED
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["error"]) == ("TIMED_OUT", "States.Timeout")
    assert "(300 s)" in result["cause"]


def test_the_cli_takes_max_seconds_and_refuses_a_bad_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner.time, "time", TickingClock(tick=1.0))
    definition = tmp_path / "loop.asl.json"
    definition.write_text(json.dumps({"StartAt": "A", "States": LOOP}))
    assert cli.main(["run", str(definition), "--max-seconds", "20", "--fast-time"]) == cli.EXIT_NOT_SUCCEEDED
    assert "(20 s)" in json.loads(capsys.readouterr().out)["cause"]
    with pytest.raises(SystemExit) as exit:
        cli.main(["run", str(definition), "--max-seconds", "-1"])
    assert exit.value.code == 2


def test_fast_time_skips_waiting_but_not_working():
    clock = runner.FastClock(now=lambda: 1000.0)
    clock.skip_to(1060.0)
    assert clock() == 1060.0
    clock.skip_to(1000.0)  # never backwards
    assert clock() == 1060.0


def test_the_answer_to_a_task_runs_in_slices_too():
    spec = {"T": {"Type": "Task", "Resource": ECHO, "Next": "L"}, "L": {"Type": "Pass", "Next": "A"}, **LOOP}
    ex = engine.Execution(machine(spec, start="T"), {}, clock=Clock(), budget=3)
    (task,) = [e for e in ex.start().effects if isinstance(e, InvokeTask)]
    step = ex.complete(task.id, {"stop": 1})
    assert step.more  # five states to go, three per slice
    while step.more:
        step = ex.proceed()
    assert ex.status == "SUCCEEDED"
