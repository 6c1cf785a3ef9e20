"""The resumable interpreter, effect by effect: what it asks its caller to do,
how answers come back, and that a snapshot taken anywhere continues the run
exactly as if nothing had happened."""

import pytest

import engine
from engine.effects import Cancel, InvokeTask, StartTimer

from .drive import LAMBDA, Clock, answer_tasks, machine, of, run_mixed, task

def test_it_hands_a_task_to_its_caller_and_continues_with_the_answer():
    ex = engine.Execution(machine({"T": task("F", Parameters={"x.$": "$.a"}, ResultPath="$.r", End=True)}),
                          {"a": 1}, clock=Clock())
    (invoke,) = of(InvokeTask, ex.start().effects)
    assert (invoke.resource, invoke.input, invoke.state, invoke.attempt) == (LAMBDA + "F", {"x": 1}, "T", 0)
    assert ex.status == "RUNNING"
    ex.complete(invoke.id, {"ok": True})
    assert (ex.status, ex.output) == ("SUCCEEDED", {"a": 1, "r": {"ok": True}})


def test_it_drops_a_late_or_unknown_answer():
    ex = engine.Execution(machine({"T": task("F", End=True)}), {}, clock=Clock())
    (invoke,) = of(InvokeTask, ex.start().effects)
    ex.complete(invoke.id, 1)
    assert ex.complete(invoke.id, 2).events == [] and ex.output == 1
    assert ex.fail(999, "E", "c").events == []


@pytest.mark.parametrize("answer, status", [("timeout", "States.Timeout"), ("heartbeat", "States.HeartbeatTimeout")])
def test_a_task_times_out_when_its_timer_fires_first(answer, status):
    spec = task("F", TimeoutSeconds=30, HeartbeatSeconds=10, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                End=True)
    clock = Clock()
    ex = engine.Execution(machine({"T": spec, "C": {"Type": "Pass", "End": True}}), {}, clock=clock)
    step = ex.start()
    timers = {t.purpose: t for t in of(StartTimer, step.effects)}
    assert timers["timeout"].due == clock.now + 30 and timers["heartbeat"].due == clock.now + 10
    (invoke,) = of(InvokeTask, step.effects)
    step = ex.fire(timers[answer].id)
    assert invoke.id in {c.id for c in of(Cancel, step.effects)}  # the attempt is abandoned
    assert ex.output == {"Error": status}
    assert ex.complete(invoke.id, "too late").events == []


def test_a_heartbeat_restarts_the_heartbeat_timer():
    clock = Clock()
    ex = engine.Execution(machine({"T": task("F", HeartbeatSeconds=10, End=True)}), {}, clock=clock)
    step = ex.start()
    (old,) = [t for t in of(StartTimer, step.effects) if t.purpose == "heartbeat"]
    clock.now += 8
    step = ex.heartbeat(of(InvokeTask, ex.pending_effects())[0].id)
    (new,) = of(StartTimer, step.effects)
    assert [c.id for c in of(Cancel, step.effects)] == [old.id] and new.due == clock.now + 10


def test_retry_intervals_grow_by_the_backoff_rate_up_to_max_delay():
    retry = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4, "MaxDelaySeconds": 10}]
    clock = Clock()
    ex = engine.Execution(machine({"T": task("F", Retry=retry, End=True)}), {}, clock=clock)
    step, delays = ex.start(), []
    for _ in range(4):
        (invoke,) = of(InvokeTask, step.effects)
        (timer,) = of(StartTimer, ex.fail(invoke.id, "Flaky", "again").effects)
        delays.append(timer.due - clock.now)
        clock.now = timer.due
        step = ex.fire(timer.id)
    assert delays == [2, 6, 10, 10]
    (invoke,) = of(InvokeTask, step.effects)
    assert invoke.attempt == 4
    ex.fail(invoke.id, "Flaky", "still")
    assert (ex.status, ex.error) == ("FAILED", "Flaky")


def test_full_jitter_is_random_within_the_interval_and_reproducible_by_seed():
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100, "JitterStrategy": "FULL"}]

    def first_delay(seed):
        clock = Clock()
        ex = engine.Execution(machine({"T": task("F", Retry=retry, End=True)}), {}, clock=clock, seed=seed)
        (invoke,) = of(InvokeTask, ex.start().effects)
        return of(StartTimer, ex.fail(invoke.id, "E", None).effects)[0].due - clock.now

    assert 0 <= first_delay(1) <= 100
    assert first_delay(1) == first_delay(1) != first_delay(2)


def test_max_attempts_zero_never_retries():
    retry = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]
    ex = engine.Execution(machine({"T": task("F", Retry=retry, End=True)}), {}, clock=Clock())
    (invoke,) = of(InvokeTask, ex.start().effects)
    ex.fail(invoke.id, "E", "c")
    assert ex.status == "FAILED"


def test_a_wait_is_a_timer_with_its_due_time():
    clock = Clock()
    ex = engine.Execution(machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}), {"s": 42}, clock=clock)
    (timer,) = of(StartTimer, ex.start().effects)
    assert (timer.purpose, timer.due, timer.state) == ("wait", clock.now + 42, "W")
    ex.fire(timer.id)
    assert ex.status == "SUCCEEDED"


def test_a_wait_for_a_past_timestamp_does_not_wait():
    ex = engine.Execution(machine({"W": {"Type": "Wait", "Timestamp": "2001-01-01T00:00:00Z", "End": True}}), {},
                          clock=Clock())
    assert ex.start().effects == [] and ex.status == "SUCCEEDED"


def test_map_max_concurrency_limits_the_tasks_in_flight():
    spec = {"Type": "Map", "MaxConcurrency": 2, "End": True,
            "ItemProcessor": {"StartAt": "T", "States": {"T": task("F", End=True)}}}
    ex = engine.Execution(machine({"M": spec}), [1, 2, 3, 4, 5], clock=Clock())
    in_flight = of(InvokeTask, ex.start().effects)
    assert [e.input for e in in_flight] == [1, 2]
    step = ex.complete(in_flight[0].id, 10)
    assert [e.input for e in of(InvokeTask, step.effects)] == [3]
    answer_tasks(ex, step, lambda effect: ("ok", effect.input * 10))
    ex.complete(in_flight[1].id, 20)
    assert (ex.status, ex.output) == ("SUCCEEDED", [10, 20, 30, 40, 50])


def test_a_failed_branch_aborts_its_siblings_and_cancels_their_work():
    spec = {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": task("A", End=True)}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 60, "End": True}}}]}
    ex = engine.Execution(machine({"P": spec}), {}, clock=Clock())
    step = ex.start()
    (invoke,) = of(InvokeTask, step.effects)
    (wait,) = of(StartTimer, step.effects)
    step = ex.fail(invoke.id, "Boom", "a broke")
    assert wait.id in {c.id for c in of(Cancel, step.effects)}
    assert "WaitStateAborted" in [e.type for e in step.events]
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Boom", "a broke")


def test_stop_aborts_and_cancels_everything_outstanding():
    ex = engine.Execution(machine({"T": task("F", TimeoutSeconds=5, End=True)}), {}, clock=Clock())
    outstanding = {e.id for e in ex.start().effects}
    step = ex.stop("User.Stop", "changed my mind")
    assert {c.id for c in of(Cancel, step.effects)} == outstanding
    assert (ex.status, step.events[-1].type) == ("ABORTED", "ExecutionAborted")


def test_the_execution_times_out_after_its_timeout_seconds():
    clock = Clock()
    ex = engine.Execution(machine({"T": task("F", End=True)}, TimeoutSeconds=60), {}, clock=clock)
    (timer,) = [t for t in of(StartTimer, ex.start().effects) if t.purpose == "execution_timeout"]
    assert timer.due == clock.now + 60
    ex.fire(timer.id)
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")


def test_a_wait_for_task_token_task_carries_an_unguessable_single_use_token():
    spec = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}
    tokens = set()
    for _ in range(2):
        ex = engine.Execution(machine({"T": spec}), {}, clock=Clock())
        (invoke,) = of(InvokeTask, ex.start().effects)
        assert invoke.pattern == "wait_for_task_token" and invoke.input == {"MessageBody": {"token": invoke.token}}
        assert len(invoke.token) == 64 and not invoke.token.startswith("-")  # 256 random bits, hex
        tokens.add(invoke.token)
    assert len(tokens) == 2


def test_the_input_is_refused_above_256_kib():
    ex = engine.Execution(machine({"P": {"Type": "Pass", "End": True}}), {"big": "x" * 262_144}, clock=Clock())
    ex.start()
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")


def test_restoring_from_a_snapshot_after_every_step_changes_nothing():
    straight = run_mixed(restore_each_step=False)
    assert straight[0] == "SUCCEEDED" and straight[1]["n"] == 1
    assert run_mixed(restore_each_step=True) == straight


def test_incremental_changes_rebuild_the_same_snapshot():
    assert run_mixed(restore_each_step=True, through_changes=True) == run_mixed(restore_each_step=False)


def test_every_event_knows_its_state_run_and_the_frame_it_ran_in():
    _, _, events, _ = run_mixed(restore_each_step=True)  # restored frames find their path again
    entered = {aws["stateEnteredEventDetails"]["name"]: (aws["id"], path) for aws, run, path in events
               if aws["type"].endswith("StateEntered") and run == aws["id"]}
    fan, each = entered["Fan"][0], entered["Each"][0]
    assert entered["Prep"][1] == entered["Fan"][1] == entered["Each"][1] == ()
    assert (entered["A"][1], entered["W"][1], entered["B"][1]) == (((fan, 0),), ((fan, 1),), ((fan, 1),))
    iterations = sorted(path for aws, run, path in events if aws["type"] == "TaskStateEntered" and
                        aws["stateEnteredEventDetails"]["name"] == "I")
    assert iterations == [((each, 0),), ((each, 1),), ((each, 2),)]
    by_id = {aws["id"]: (aws["type"], run) for aws, run, _ in events}
    a = entered["A"][0]
    assert [kind for kind, run in by_id.values() if run == a] == [  # A's retry stays in A's run
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
        "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited"]
    assert {kind for kind, run in by_id.values() if run == each} >= {
        "MapStateEntered", "MapStateStarted", "MapIterationStarted", "MapIterationSucceeded", "MapStateSucceeded",
        "MapStateExited"}
    assert {kind for kind, run in by_id.values() if run is None} == {"ExecutionStarted", "ExecutionSucceeded"}


def test_an_assign_above_256_kib_fails_with_data_limit_exceeded():
    spec = {"Type": "Pass", "Assign": {"big.$": "$.big"}, "End": True}
    ex = engine.Execution(machine({"P": spec}), {"big": "x" * 200_000, "more": "y"}, clock=Clock())
    ex.start()
    assert ex.status == "SUCCEEDED"
    twice = {"Type": "Pass", "Assign": {"a.$": "$.big", "b.$": "$.big"}, "End": True}
    ex = engine.Execution(machine({"P": twice}), {"big": "x" * 200_000}, clock=Clock())
    ex.start()
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")


def test_an_activity_is_scheduled_then_started_by_a_worker():
    spec = {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review", "End": True}
    ex = engine.Execution(machine({"A": spec}), {"doc": 1}, clock=Clock())
    step = ex.start()
    assert [e.type for e in step.events][-1] == "ActivityScheduled"
    (invoke,) = of(InvokeTask, step.effects)
    (started,) = ex.activity_started(invoke.id, "worker-1").events
    assert (started.type, started.details) == ("ActivityStarted", {"workerName": "worker-1"})
    assert [e.type for e in ex.complete(invoke.id, {"ok": 1}).events][:1] == ["ActivitySucceeded"]


def test_the_history_limit_ends_the_history_with_execution_failed():
    loop = {"A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "C"}], "Default": "A"},
            "C": {"Type": "Succeed"}}
    ex = engine.Execution(machine(loop, start="A"), {}, clock=Clock(), history_limit=100)
    events = ex.start().events
    assert events[-1].type == "ExecutionFailed" and ex.error == "States.Runtime"
    assert [e.id for e in events] == list(range(1, len(events) + 1)) and len(events) <= 101
