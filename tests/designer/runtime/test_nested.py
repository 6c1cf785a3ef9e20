"""states:startExecution: plain, .sync, .sync:2, child failure, and a parent that stops waiting."""
import json

import pytest

from designer import runtime as rt
from designer.models import Execution
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = {"StartAt": "Double", "States": {"Double": {
    "Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}}
FAILING_CHILD = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "ChildError", "Cause": "it failed"}}}
WAITING_CHILD = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def parent(resource, child_arn, **task):
    return {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": resource, "End": True,
        "Parameters": {"StateMachineArn": child_arn, "Input": {"n.$": "$.n"}}, **task}}}


def run(machine, alice, worker, child_definition, resource, child_type="STANDARD"):
    child = machine("Child", child_definition, type=child_type)
    execution = rt.start_execution(machine("Parent", parent(resource, child.arn)), owner=alice, input_text='{"n": 21}')
    worker.drain()
    execution.refresh_from_db()
    return execution, child


def test_plain_start_returns_the_child_arn_and_start_date(machine, alice, worker):
    execution, child_machine = run(machine, alice, worker, CHILD, "arn:aws:states:::states:startExecution")
    output = json.loads(execution.output)
    child = Execution.objects.get(arn=output["ExecutionArn"])
    assert child.machine == child_machine and child.parent_id == execution.pk and child.status == "SUCCEEDED"
    assert output["StartDate"] == int(round(child.started_at.timestamp() * 1000))


def test_sync_waits_for_the_child_and_answers_with_output_as_text(machine, alice, worker):
    execution, _ = run(machine, alice, worker, CHILD, "arn:aws:states:::states:startExecution.sync")
    output = json.loads(execution.output)
    assert output["Status"] == "SUCCEEDED"
    assert output["Output"] == '{"doubled":42}' and output["Input"] == '{"n":21}'
    assert output["OutputDetails"] == {"Included": True}
    assert output["StopDate"] >= output["StartDate"]


def test_sync_2_answers_with_output_as_json(machine, alice, worker):
    execution, _ = run(machine, alice, worker, CHILD, "arn:aws:states:::states:startExecution.sync:2")
    output = json.loads(execution.output)
    assert output["Output"] == {"doubled": 42} and output["Input"] == {"n": 21}


def test_a_failed_child_fails_the_task(machine, alice, worker):
    execution, _ = run(machine, alice, worker, FAILING_CHILD, "arn:aws:states:::states:startExecution.sync")
    assert execution.status == "FAILED" and execution.error == "States.TaskFailed"
    cause = json.loads(execution.cause)
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "ChildError", "it failed")


def test_an_express_child_runs_inline(machine, alice, worker):
    execution, _ = run(machine, alice, worker, CHILD, "arn:aws:states:::states:startExecution.sync:2",
                       child_type="EXPRESS")
    output = json.loads(execution.output)
    assert output["Status"] == "SUCCEEDED" and output["Output"] == {"doubled": 42}
    assert ":express:Child:" in output["ExecutionArn"]


def test_stopping_the_parent_stops_a_child_it_waits_for(machine, alice, worker):
    execution, _ = run(machine, alice, worker, WAITING_CHILD, "arn:aws:states:::states:startExecution.sync")
    child = Execution.objects.get(parent=execution)
    assert child.status == "RUNNING"
    rt.stop_execution(execution)
    worker.drain()
    child.refresh_from_db()
    assert child.status == "ABORTED"


def test_an_unknown_machine_fails_the_task(machine, alice, worker):
    m = machine("Parent", parent("arn:aws:states:::states:startExecution",
                                 "arn:aws:states:us-east-1:123456789012:stateMachine:Nope"))
    execution = rt.start_execution(m, owner=alice, input_text='{"n": 1}')
    worker.drain()
    execution.refresh_from_db()
    assert execution.error == "StepFunctions.StateMachineDoesNotExistException"


@pytest.mark.parametrize("resource", ["arn:aws:states:::states:startExecution",
                                      "arn:aws:states:::states:startExecution.sync"])
def test_another_accounts_machine_does_not_exist_for_a_task(machine, alice, bob, worker, resource):
    # names are per account: a task acts as its machine's owner, and bob's machine is not alice's
    bobs = make_machine(bob, "Child", CHILD)
    execution = rt.start_execution(machine("Parent", parent(resource, bobs.arn)), owner=alice, input_text='{"n": 1}')
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("FAILED", "StepFunctions.StateMachineDoesNotExistException")
    assert bobs.arn in execution.cause
    assert not Execution.objects.filter(machine=bobs).exists()
