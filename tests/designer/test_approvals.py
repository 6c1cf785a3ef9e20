"""Human approval: the built-in task resource, the inbox page and the decide endpoint.

Users: alice owns the machines (not staff), carol is staff (the default
approvers), bob is an outsider, dave is in the "kitchen" group.
"""
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from designer import resources
from designer.approvals import decision, policy, resource
from designer import runtime as rt
from designer.models import Execution, HistoryEvent, InboxItem, TaskToken
from tests.helpers import FakeClock, make_machine, migrated_sqlite, using_database

pytestmark = pytest.mark.django_db(transaction=True)

APPROVAL = "arn:aws:states:::statelight:approval"


def asking(**parameters):
    """Check asks a person; a rejection is caught and routed to Refund."""
    return {"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": APPROVAL, "ResultPath": "$.approval", "Next": "Done",
                  "Parameters": {"Title": "Is this pizza good?", "Description.$": "$.about", "Data": {"pizza.$": "$.pizza"},
                                 **parameters},
                  "Catch": [{"ErrorEquals": ["Statelight.ApprovalRejected"], "ResultPath": "$.problem", "Next": "Refund"}]},
        "Done": {"Type": "Succeed"},
        "Refund": {"Type": "Pass", "Result": "refunded", "ResultPath": "$.refund", "End": True}}}


@pytest.fixture
def dave(django_user_model):
    dave = django_user_model.objects.create_user("dave", password="dave-password")
    dave.groups.add(Group.objects.create(name="kitchen"))
    return dave


@pytest.fixture
def worker():
    return rt.Runtime(inline_tasks=True, worker_id="test:approvals")


@pytest.fixture
def waiting(alice, worker):
    """start(**Parameters) -> (execution, approval): an execution waiting for a person."""
    made = []

    def start(definition=None, **parameters):
        made.append(1)
        machine = make_machine(alice, f"Pizza{len(made)}", definition or asking(**parameters))
        execution = rt.start_execution(machine, owner=alice, input_text=json.dumps(
            {"pizza": "margherita", "about": "A margherita for Ada."}))
        worker.drain()
        return execution, TaskToken.objects.get(execution=execution, kind=TaskToken.APPROVAL)
    return start


def client_for(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


def decide(user, approval, choice, comment="", form=None, **options):
    return client_for(user, **options).post(f"/approvals/{approval.pk}/decide", {
        "choice": choice, "comment": comment, "form": form or {}}, content_type="application/json")


def finished(execution, worker) -> Execution:
    worker.drain()
    execution.refresh_from_db()
    return execution


def test_it_opens_an_approval_with_what_the_approver_sees(waiting):
    execution, approval = waiting()
    assert execution.status == "RUNNING"
    assert approval.state_name == "Check" and approval.answered_at is None and approval.decision is None
    assert approval.request == {
        "title": "Is this pizza good?", "description": "A margherita for Ada.", "data": {"pizza": "margherita"},
        "choices": [{"name": "Approve", "rejects": False}, {"name": "Reject", "rejects": True}],
        "comment": "optional", "form": [], "approvers": None, "timeoutSeconds": None, "heartbeatSeconds": None}
    scheduled = HistoryEvent.objects.get(execution=execution, type="TaskScheduled")
    assert (scheduled.details["resourceType"], scheduled.details["resource"]) == ("statelight", "approval")


def test_approving_gives_the_workflow_the_decision(waiting, carol, worker):
    execution, approval = waiting()
    r = decide(carol, approval, "Approve", "looks great")
    assert r.status_code == 200
    result = r.json()["result"]
    assert (result["Decision"], result["Comment"], result["DecidedBy"]) == ("Approve", "looks great", "carol")
    assert result["DecidedAt"].endswith("Z")
    execution = finished(execution, worker)
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output)["approval"] == result


def test_the_decision_is_audited(waiting, carol):
    execution, approval = waiting()
    decide(carol, approval, "Approve", "fine")
    approval.refresh_from_db()
    assert approval.decided_by == carol and approval.answered_at is not None
    assert approval.decision["Decision"] == "Approve" and approval.decision["Comment"] == "fine"


def test_rejecting_fails_the_task_with_approval_rejected_and_a_catch_routes_it(waiting, carol, worker):
    execution, approval = waiting()
    assert decide(carol, approval, "Reject", "burnt").status_code == 200
    execution = finished(execution, worker)
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)
    assert output["problem"] == {"Error": "Statelight.ApprovalRejected", "Cause": "burnt"}
    assert output["refund"] == "refunded"
    failed = HistoryEvent.objects.get(execution=execution, type="TaskFailed")
    assert failed.details["error"] == "Statelight.ApprovalRejected"


def test_an_uncaught_rejection_fails_the_execution(alice, carol, worker):
    machine = make_machine(alice, "Strict", {"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": APPROVAL, "End": True}}})
    execution = rt.start_execution(machine, owner=alice)
    worker.drain()
    approval = TaskToken.objects.get(execution=execution)
    assert approval.request["title"] == "Check"  # no Title: the state's name
    decide(carol, approval, "Reject")
    execution = finished(execution, worker)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "Statelight.ApprovalRejected", "Rejected by carol.")


def test_a_second_decision_is_refused(waiting, carol, worker):
    execution, approval = waiting()
    assert decide(carol, approval, "Approve").status_code == 200
    r = decide(carol, approval, "Reject")
    assert r.status_code == 409
    assert "decided already" in r.json()["error"]
    assert json.loads(finished(execution, worker).output)["approval"]["Decision"] == "Approve"


def test_it_refuses_users_who_may_not_decide(waiting, alice, bob):
    execution, approval = waiting()
    # the default approvers are staff: not the machine's owner, not an outsider
    assert decide(alice, approval, "Approve").status_code == 403
    assert decide(bob, approval, "Approve").status_code == 403
    r = Client().post(f"/approvals/{approval.pk}/decide", {"choice": "Approve"}, content_type="application/json")
    assert r.status_code == 401
    approval.refresh_from_db()
    assert approval.answered_at is None and approval.decision is None


def test_named_approvers_replace_staff(waiting, alice, carol, dave, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="root-password")
    for user, allowed in ((carol, False), (alice, True), (dave, True), (root, True)):
        execution, approval = waiting(Approvers={"Users": ["alice"], "Groups": ["kitchen"]})
        r = decide(user, approval, "Approve")
        assert r.status_code == (200 if allowed else 403), user


def test_it_is_csrf_protected(waiting, carol):
    execution, approval = waiting()
    client = client_for(carol, enforce_csrf_checks=True)
    r = client.post(f"/approvals/{approval.pk}/decide", {"choice": "Approve"})
    assert r.status_code == 403
    client.get("/approvals/")  # the page sets the CSRF cookie its forms post with
    token = client.cookies["csrftoken"].value
    r = client.post(f"/approvals/{approval.pk}/decide", {"choice": "Approve", "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and r["Location"] == "/approvals/"


def test_two_decisions_at_once_only_one_wins(tmp_path, django_db_blocker):
    # threads on a file database, as in production; both pass the checks, one UPDATE wins
    url = migrated_sqlite(tmp_path)
    with django_db_blocker.unblock(), using_database(url, tmp_path):
        User = get_user_model()
        owner = User.objects.create_user("owner")
        approvers = [User.objects.create_user(f"staff{i}", is_staff=True) for i in range(2)]
        execution = rt.start_execution(make_machine(owner, "Race", asking()), owner=owner,
                                       input_text='{"pizza": "p", "about": "a"}')
        worker = rt.Runtime(inline_tasks=True, worker_id="test:race")
        worker.drain()
        approval = TaskToken.objects.get(execution=execution)
        barrier = threading.Barrier(2)
        outcomes = []

        def take(user, choice):
            barrier.wait()
            try:
                outcomes.append(decision.decide(approval.pk, user, choice))
            except decision.Refused as e:
                outcomes.append(e.status)
            finally:
                from django.db import connection
                connection.close()

        threads = [threading.Thread(target=take, args=(user, choice))
                   for user, choice in zip(approvers, ["Approve", "Reject"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(map(type, outcomes), key=str) == [dict, int] and 409 in outcomes
        [result] = [o for o in outcomes if isinstance(o, dict)]
        approval.refresh_from_db()
        assert approval.decision == result
        assert InboxItem.objects.filter(execution=execution, kind__in=["complete", "fail"]).count() == 1


def test_form_fields_come_back_in_the_result(waiting, carol, worker):
    execution, approval = waiting(Form=[
        {"Name": "slices", "Label": "Slices", "Type": "number", "Required": True},
        {"Name": "size", "Type": "select", "Options": ["S", "M", "L"], "Default": "M"},
        {"Name": "extraCheese", "Type": "boolean"},
        {"Name": "note", "Type": "textarea"}])
    r = decide(carol, approval, "Approve", form={"size": "L"})
    assert r.status_code == 400 and "Slices" in r.json()["error"]
    r = decide(carol, approval, "Approve", form={"slices": "8", "size": "XL"})
    assert r.status_code == 400
    # the HTML form's way: field:<name>, a checkbox sends "on"
    client = client_for(carol)
    r = client.post(f"/approvals/{approval.pk}/decide", {
        "choice": "Approve", "field:slices": "8", "field:size": "S", "field:extraCheese": "on"},
        HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    result = json.loads(finished(execution, worker).output)["approval"]
    assert {k: result[k] for k in ("Decision", "slices", "size", "extraCheese", "note")} == {
        "Decision": "Approve", "slices": 8, "size": "S", "extraCheese": True, "note": None}


@pytest.mark.parametrize("slices", ["1e999", "-1e999", "nan", "Infinity"])
def test_a_number_field_is_a_number_json_can_hold(waiting, carol, worker, slices):
    # a form's "1e999" read as a float is inf: the decision's result would not be JSON
    execution, approval = waiting(Form=[{"Name": "slices", "Label": "Slices", "Type": "number"}])
    r = client_for(carol).post(f"/approvals/{approval.pk}/decide", {"choice": "Approve", "field:slices": slices},
                               HTTP_ACCEPT="application/json")
    assert (r.status_code, r.json()["error"]) == (400, "Slices must be a number.")
    approval.refresh_from_db()
    assert approval.decision is None and approval.answered_at is None


def test_a_required_comment_and_the_choices_given(waiting, carol, worker):
    execution, approval = waiting(Comment="required", Choices=["Ship it", {"Name": "Send back", "Rejects": True}])
    assert approval.request["choices"] == [{"name": "Ship it", "rejects": False}, {"name": "Send back", "rejects": True}]
    assert decide(carol, approval, "Approve", "ok").status_code == 400  # not one of the choices
    assert decide(carol, approval, "Send back").status_code == 400  # no comment
    assert decide(carol, approval, "Send back", "too much basil").status_code == 200
    output = json.loads(finished(execution, worker).output)
    assert output["problem"] == {"Error": "Statelight.ApprovalRejected", "Cause": "too much basil"}


@pytest.mark.parametrize("parameters, message", [
    ({"Choices": "yes"}, "Choices must be a list"),
    ({"Comment": "sometimes"}, "Comment must be"),
    ({"Form": [{"Name": "Decision"}]}, "is taken"),
    ({"Form": [{"Name": "size", "Type": "select"}]}, "needs Options"),
    ({"Approvers": ["carol"]}, "Approvers must be"),
])
def test_parameters_it_cannot_ask_fail_the_task_clearly(waiting_not, parameters, message):
    execution = waiting_not(**parameters)
    assert execution.status == "FAILED" and execution.error == "Statelight.InvalidApprovalRequest"
    assert message in execution.cause


@pytest.fixture
def waiting_not(alice, worker):
    def start(**parameters):
        machine = make_machine(alice, "Bad", {"StartAt": "Check", "States": {
            "Check": {"Type": "Task", "Resource": APPROVAL, "Parameters": parameters, "End": True}}})
        execution = rt.start_execution(machine, owner=alice)
        return finished(execution, worker)
    return start


def test_an_approval_waiting_for_a_token_fails_and_opens_nothing(alice, worker):
    # stored before the validator refused it (designer/definitions.py): the token would have been a
    # second way to answer the approval, around its approvers
    machine = make_machine(alice, "Bypass", {"StartAt": "Check", "States": {"Check": {
        "Type": "Task", "Resource": APPROVAL + ".waitForTaskToken", "End": True,
        "Parameters": {"Data": {"token.$": "$$.Task.Token"}}}}})
    execution = finished(rt.start_execution(machine, owner=alice), worker)
    assert (execution.status, execution.error) == ("FAILED", "Statelight.InvalidApprovalRequest")
    assert ".waitForTaskToken" in execution.cause
    assert not TaskToken.objects.filter(execution=execution, kind=TaskToken.APPROVAL).exists()


def test_a_timeout_closes_the_approval_without_a_decision(alice, carol):
    clock = FakeClock()
    worker = rt.Runtime(inline_tasks=True, worker_id="test:timeout", clock=clock)
    machine = make_machine(alice, "Slow", {"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": APPROVAL, "TimeoutSeconds": 60, "End": True}}})
    execution = rt.start_execution(machine, owner=alice)
    worker.drain()
    approval = TaskToken.objects.get(execution=execution)
    assert approval.request["timeoutSeconds"] == 60
    clock.advance(61)
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    approval.refresh_from_db()
    assert approval.answered_at is not None and approval.decision is None
    r = decide(carol, approval, "Approve")
    assert r.status_code == 409 and "closed" in r.json()["error"]
    assert policy.pending_for(carol) == []


def test_an_attempt_performed_twice_opens_one_approval(waiting):
    execution, approval = waiting()
    again = resources.TaskRequest(resource=APPROVAL, input={"Title": "again"}, state="Check",
                                  execution_id=execution.pk, effect_id=approval.effect_id)
    assert resource.perform(again) == resources.WAIT
    assert TaskToken.objects.filter(execution=execution).count() == 1


def test_the_inbox_lists_what_the_user_may_decide(waiting, alice, carol, worker):
    execution, approval = waiting()
    page = client_for(carol).get("/approvals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Is this pizza good?" in html and "A margherita for Ada." in html and "margherita" in html
    assert f'action="/approvals/{approval.pk}/decide"' in html
    assert f'href="/executions/{execution.pk}/"' in html  # staff may open the execution
    assert "Is this pizza good?" not in client_for(alice).get("/approvals/").content.decode()
    # decided: gone from the pending list, in the audit table with who and what
    decide(carol, approval, "Approve", "crispy")
    html = client_for(carol).get("/approvals/").content.decode()
    assert f'action="/approvals/{approval.pk}/decide"' not in html
    assert "crispy" in html and "carol" in html


def test_the_inbox_needs_a_login():
    r = Client().get("/approvals/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_a_form_post_comes_back_to_the_inbox_with_the_reason_it_was_refused(waiting, alice):
    execution, approval = waiting()
    r = client_for(alice).post(f"/approvals/{approval.pk}/decide", {"choice": "Approve"})
    assert r.status_code == 403
    assert b"You may not decide this approval." in r.content


def test_an_express_workflow_cannot_wait_for_a_person(alice):
    machine = make_machine(alice, "Quick", {"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": APPROVAL, "End": True}}}, type="EXPRESS")
    result = rt.start_sync_execution(machine, owner=alice, input_text="{}")
    assert result["status"] == "FAILED" and result["error"] == "States.Runtime"
