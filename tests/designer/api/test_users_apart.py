"""Users stay apart (issue 9 §3): a machine uses only activities its owner may see, an approval is
decided only through its decision, and names are per account (test_state_machines.py and
test_activities.py for Create/Describe/List). alice and bob are users, carol is staff."""
import json
import time

import pytest

from designer import runtime as rt
from designer.models import Activity, Execution, StateMachine, TaskToken
from designer.runtime import signals

from .aws import ROLE

APPROVAL = "arn:aws:states:::statelight:approval"


def one_task(resource, **state):
    return json.dumps({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": resource, "End": True,
                                                              **state}}})


def finished(sfn, arn):
    rt.wait_for_execution(Execution.objects.get(arn=arn), timeout=30)
    return sfn.describe_execution(executionArn=arn)


@pytest.fixture
def quick_polls(settings):
    settings.STATELIGHT_ACTIVITY_POLL_SECONDS = 0.3


# --- activities -------------------------------------------------------------------------

def test_a_machine_naming_another_accounts_activity_is_refused_where_it_names_it(client_for, alice, bob):
    # issue 9: bob's machine fed its input to alice's GetActivityTask
    alices = client_for(alice).create_activity(name="pack")["activityArn"]
    as_bob = client_for(bob)
    with pytest.raises(as_bob.exceptions.InvalidDefinition) as info:
        as_bob.create_state_machine(name="m", definition=one_task(alices), roleArn=ROLE)
    message = info.value.response["Error"]["Message"]
    assert "INVALID_RESOURCE" in message and alices in message and "at /States/Work/Resource" in message
    [diagnostic] = as_bob.validate_state_machine_definition(definition=one_task(alices))["diagnostics"]
    assert (diagnostic["code"], diagnostic["location"]) == ("INVALID_RESOURCE", "/States/Work/Resource")
    mine = as_bob.create_state_machine(name="m", definition=one_task("arn:aws:states:::lambda:invoke"),
                                       roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(as_bob.exceptions.InvalidDefinition):
        as_bob.update_state_machine(stateMachineArn=mine, definition=one_task(alices))


def test_staff_may_use_any_activity_they_see(client_for, alice, carol):
    alices = client_for(alice).create_activity(name="pack")["activityArn"]
    as_carol = client_for(carol)
    assert as_carol.validate_state_machine_definition(definition=one_task(alices))["diagnostics"] == []
    arn = as_carol.create_state_machine(name="m", definition=one_task(alices), roleArn=ROLE)["stateMachineArn"]
    assert as_carol.describe_state_machine(stateMachineArn=arn)["definition"] == one_task(alices)


def test_a_stored_machine_naming_another_accounts_activity_fails_its_task_at_run_time(
        client_for, alice, bob, runtime, quick_polls):
    # stored before the rule (or around it): the runtime refuses to feed alice's queue
    as_alice, as_bob = client_for(alice), client_for(bob)
    alices = as_alice.create_activity(name="pack")["activityArn"]
    mine = as_bob.create_state_machine(name="m", definition=one_task("arn:aws:states:::lambda:invoke"),
                                       roleArn=ROLE)["stateMachineArn"]
    StateMachine.objects.filter(arn=mine).update(definition=one_task(alices))
    run = as_bob.start_execution(stateMachineArn=mine, input='{"secret": 1}')["executionArn"]
    described = finished(as_bob, run)
    assert (described["status"], described["error"]) == ("FAILED", "AccessDeniedException")
    assert alices in described["cause"]
    assert "taskToken" not in as_alice.get_activity_task(activityArn=alices)  # her queue got nothing
    assert not TaskToken.objects.filter(activity=Activity.objects.get(arn=alices)).exists()


# --- approvals --------------------------------------------------------------------------

def test_an_approval_with_a_task_token_is_refused(sfn):
    # issue 9: the owner passed $$.Task.Token in Data, read it back and answered with SendTaskSuccess
    definition = one_task(APPROVAL + ".waitForTaskToken", Parameters={"Data": {"token.$": "$$.Task.Token"}})
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        sfn.create_state_machine(name="bypass", definition=definition, roleArn=ROLE)
    assert "/States/Work/Resource" in info.value.response["Error"]["Message"]


def test_the_sdk_cannot_answer_an_approval_nor_read_its_token(sfn, create, runtime, alice):
    run = sfn.start_execution(stateMachineArn=create("ask", one_task(APPROVAL, Parameters={"Title": "OK?"})),
                              input='{"n": 1}')["executionArn"]
    approval = _approval_of(run)
    for answer in (lambda: sfn.send_task_success(taskToken=approval.token, output='{"Decision": "Approve"}'),
                   lambda: sfn.send_task_failure(taskToken=approval.token, error="x"),
                   lambda: sfn.send_task_heartbeat(taskToken=approval.token)):
        with pytest.raises(sfn.exceptions.TaskDoesNotExist) as info:  # as for a token it never issued
            answer()
        assert info.value.response["Error"]["Message"] == "Task does not exist: 'Provided task does not exist'"
    approval.refresh_from_db()
    assert approval.answered_at is None and approval.decision is None
    history = json.dumps(sfn.get_execution_history(executionArn=run)["events"], default=str)
    assert approval.token not in history


def _approval_of(execution_arn):
    """The approval the execution opens, once the runtime has opened it."""
    deadline = time.monotonic() + 30
    while (found := TaskToken.objects.filter(execution__arn=execution_arn, kind=TaskToken.APPROVAL).first()) is None:
        assert time.monotonic() < deadline, f"no approval opened for {execution_arn}"
        signals.wait_for_change(0.05)
    return found
