"""RedriveExecution: continue from the unsuccessful step with the same input; in
Parallel and inline Map states only failed or aborted branches/iterations run again.
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html"""
import pytest

import engine
from engine.effects import InvokeTask

from .drive import answer_tasks, restored
from .shared import check_frame_paths


def parallel_machine():
    return engine.parse({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:A", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:B", "End": True}}},
        ]},
        "After": {"Type": "Pass", "End": True},
    }})


def test_it_reruns_only_the_failed_branch_of_a_parallel_state():
    ex = engine.Execution(parallel_machine(), {"n": 1}, clock=lambda: 1000.0)
    calls = []

    def first_attempt(effect: InvokeTask):
        calls.append(effect.state)
        return ("fail", "Boom", "B broke") if effect.state == "B" else ("ok", {"a": 1})

    answer_tasks(ex, ex.start(), first_attempt)
    assert (ex.status, ex.error) == ("FAILED", "Boom")

    ex = restored(ex)  # a redrive happens later, from the stored snapshot
    answer_tasks(ex, ex.redrive(), lambda effect: calls.append(effect.state) or ("ok", {"b": 2}))
    assert ex.status == "SUCCEEDED"
    assert ex.output == [{"a": 1}, {"b": 2}]
    assert calls == ["A", "B", "B"]
    assert ex.execution_context["RedriveCount"] == 1


def test_it_reruns_only_failed_map_iterations():
    machine = engine.parse({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "ToleratedFailureCount": 1, "ItemProcessor": {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:T", "End": True}}}}}})
    ex = engine.Execution(machine, [1, 2, 3, 4], clock=lambda: 1000.0)
    seen = []

    def flaky(effect):
        seen.append(effect.input)
        return ("fail", "Odd", None) if effect.input % 2 else ("ok", effect.input * 10)

    events = answer_tasks(ex, ex.start(), flaky)
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert seen == [1, 2, 3]  # the second failure aborted the iteration of 4
    ex = restored(ex)
    events += answer_tasks(ex, ex.redrive(), lambda effect: seen.append(effect.input) or ("ok", effect.input * 10))
    assert (ex.status, ex.output) == ("SUCCEEDED", [10, 20, 30, 40])
    check_frame_paths(events)  # the iterations run again in the Map's run, in their own frames
    assert sorted(seen[3:]) == [1, 3, 4]  # 2 had succeeded: it is not run again


def test_it_enters_the_failed_state_again_with_the_same_input():
    machine = engine.parse({"StartAt": "Prep", "States": {
        "Prep": {"Type": "Pass", "Result": {"x": 1}, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:W", "End": True}}})
    ex = engine.Execution(machine, {}, clock=lambda: 1000.0)
    answer_tasks(ex, ex.start(), lambda effect: ("fail", "Down", "service down"))
    step = ex.redrive()
    types = [e.type for e in step.events]
    assert types[:2] == ["ExecutionRedriven", "TaskStateEntered"]
    assert step.events[1].details["input"] == {"x": 1}
    assert [e.input for e in step.effects if isinstance(e, InvokeTask)] == [{"x": 1}]


def test_it_refuses_to_redrive_a_succeeded_execution():
    ex = engine.Execution(engine.parse({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}), {})
    ex.start()
    with pytest.raises(ValueError, match="SUCCEEDED"):
        ex.redrive()
