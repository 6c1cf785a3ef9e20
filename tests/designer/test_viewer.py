"""The execution viewer's pages and JSON endpoints, and the state runs read from history events
by where they happened (designer/viewer/runs.py).

alice owns the machines, carol is staff, bob is an outsider.
"""
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import engine
from designer import runtime as rt
from designer.approvals.decision import decide
from designer.models import Activity, Execution, HistoryEvent, TaskToken
from designer.viewer.runs import StateRuns, resources_of
from tests.helpers import FakeClock, make_machine

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
RECORDED = json.loads((ROOT / "tests/designer/histories/fanout_retry_catch.json").read_text())
PIZZA = (ROOT / "examples/pizza.asl.json").read_text()
TWO_TASKS = json.loads((ROOT / "examples/two_tasks.asl.json").read_text())
ORDER = {"customer": "Ada", "pizza": "margherita", "toppings": ["basil"], "address": "1 Main St"}
CALLBACK = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "ViewerOutbox", "Payload": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.answer", "End": True}}}
flaky_calls = []


@engine.task_handler("ViewerOutbox")
def outbox(task_input, context):
    return {"sent": True}


@engine.task_handler("ViewerFlaky")
def flaky(task_input, context):
    flaky_calls.append(1)
    if len(flaky_calls) == 1:
        raise RuntimeError("the first call fails")
    return {"calls": len(flaky_calls)}


@engine.task_handler("ViewerCook")
def cook(task_input, context):
    logging.getLogger("viewer.cook").info("cooking %s, attempt %d", task_input["dish"], context.attempt + 1)
    if task_input.get("burn") and context.attempt == 0:
        raise RuntimeError("burnt")
    return {"dish": task_input["dish"]}


COOK_EACH = {"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "ItemsPath": "$.dishes", "End": True, "ItemProcessor": {"StartAt": "Cook", "States": {"Cook": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ViewerCook", "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]}}}}}}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def worker(clock):
    return rt.Runtime(inline_tasks=True, worker_id="test:viewer", clock=clock)


def client_for(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


def started(owner, worker, definition=TWO_TASKS, name="M", input_text="{}"):
    execution = rt.start_execution(make_machine(owner, name, definition), owner=owner, input_text=input_text)
    worker.drain()
    execution.refresh_from_db()
    return execution


def recorded_execution(owner) -> Execution:
    """An execution whose stored history is the recorded Parallel/Map/Retry/Catch run."""
    machine = make_machine(owner, "Recorded", RECORDED["definition"])
    execution = Execution.objects.create(
        arn=machine.arn.replace("stateMachine", "execution") + ":one", name="one", machine=machine,
        definition=json.dumps(RECORDED["definition"]), status="SUCCEEDED",
        started_at=datetime.fromtimestamp(RECORDED["history"][0]["event"]["timestamp"], timezone.utc))
    for envelope in RECORDED["history"]:
        event = envelope["event"]
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
        HistoryEvent.objects.create(
            execution=execution, event_id=event["id"], previous_event_id=event["previousEventId"], type=event["type"],
            details=details, timestamp=datetime.fromtimestamp(event["timestamp"], timezone.utc),
            state_run=envelope["run"], path=envelope.get("path"),
            state_name=details["name"] if envelope["run"] == event["id"] else None)
    return execution


# --- state runs read from history (the same expectations as static/src/viewer/runs.test.js)

STATES = ("P", "A", "W", "M", "U", "B", "C", "D")


def statuses(runs):
    return {name: runs.status_of(name)["status"] for name in STATES if runs.of_state(name)}


def test_it_reads_each_states_status_from_a_recorded_history():
    runs = StateRuns().add_all(RECORDED["history"])
    assert statuses(runs) == {"P": "succeeded", "A": "succeeded", "W": "succeeded", "M": "succeeded",
                              "U": "failed", "B": "succeeded", "C": "caught", "D": "succeeded"}
    assert [run.status() for run in runs.of_state("U", 0)] == ["succeeded"]
    [w] = runs.of_state("W")
    assert runs.runs[w.path[-1][0]].name == "P"  # W ran in a branch of P
    [b] = runs.of_state("B")
    assert [a["outcome"] for a in b.attempts] == ["failed", "succeeded"]
    [c] = runs.of_state("C")
    assert c.error == "UnreliableError" and "stackTrace" in c.cause


def test_a_retry_pending_reads_as_retrying():
    failed = next(e["event"] for e in RECORDED["history"] if e["event"]["type"] == "LambdaFunctionFailed"
                  and "fails 1 times" in e["event"]["lambdaFunctionFailedEventDetails"]["cause"])
    runs = StateRuns().add_all(e for e in RECORDED["history"] if e["event"]["id"] <= failed["id"])
    assert runs.status_of("B") == {"status": "retrying"}


def test_the_pizza_reads_as_it_runs_from_the_stored_events(alice, carol, worker, clock):
    execution = started(alice, worker, PIZZA, "Pizza", json.dumps(ORDER))
    clock.advance(5)  # Bake's retry interval
    worker.drain()

    def read():
        runs = StateRuns(resources_of(json.loads(PIZZA)))
        runs.add_all(e.envelope() for e in execution.events.order_by("event_id"))
        return runs, {run.name: runs.status_of(run.name) for run in runs.runs.values()}

    runs, now = read()
    assert now["QualityCheck"] == {"status": "waiting", "waitingFor": "approval"}
    assert {name: now[name]["status"] for name in ("TakeOrder", "PrepareInParallel", "MakeDough", "Bake")} == {
        "TakeOrder": "succeeded", "PrepareInParallel": "succeeded", "MakeDough": "succeeded", "Bake": "succeeded"}
    assert "Deliver" not in now
    [bake] = runs.of_state("Bake")
    assert [a["outcome"] for a in bake.attempts] == ["failed", "succeeded"] and bake.error is None
    decide(TaskToken.objects.get(execution=execution).pk, carol, "Reject", "burnt")
    worker.drain()
    _, end = read()
    assert {name: item["status"] for name, item in end.items()} == {
        "TakeOrder": "succeeded", "PrepareInParallel": "succeeded", "MakeDough": "succeeded",
        "PrepareSauce": "succeeded", "GrateCheese": "succeeded", "AddToppings": "succeeded", "Bake": "succeeded",
        "QualityCheck": "caught", "RefundOrder": "succeeded", "Refunded": "succeeded"}


# --- pages ------------------------------------------------------------------------------

def test_the_viewer_page_is_for_the_owner_and_staff(alice, carol, bob, worker):
    execution = started(alice, worker)
    for user in (alice, carol):
        r = client_for(user).get(f"/executions/{execution.pk}/")
        assert r.status_code == 200
        config = json.loads(r.content.decode().split('id="viewer-config" type="application/json">')[1].split("</script>")[0])
        assert config["execution"]["name"] == execution.name and config["execution"]["status"] == "SUCCEEDED"
        assert config["urls"]["ws"] == f"/ws/executions/{execution.pk}/"
        assert json.loads(config["definition"]) == TWO_TASKS
    assert client_for(bob).get(f"/executions/{execution.pk}/").status_code == 404
    r = Client().get(f"/executions/{execution.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_the_viewer_lays_out_with_the_saved_positions_only_when_they_fit(alice, worker):
    execution = started(alice, worker)
    execution.machine.layout = {"positions": {"/States/FirstTask": {"x": 1, "y": 2}}}
    execution.machine.save()
    page = client_for(alice).get(f"/executions/{execution.pk}/").content.decode()
    assert '"positions": {"/States/FirstTask": {"x": 1, "y": 2}}' in page
    execution.machine.definition = json.dumps({"StartAt": "X", "States": {"X": {"Type": "Succeed"}}})
    execution.machine.save()
    page = client_for(alice).get(f"/executions/{execution.pk}/").content.decode()
    assert '"layout": {}' in page  # the execution ran another definition: laid out afresh


def test_the_runs_page_lists_executions_newest_first_with_a_start_form(alice, bob, worker):
    first = started(alice, worker, name="M")
    second = rt.start_execution(first.machine, owner=alice, name="second")
    r = client_for(alice).get(f"/machines/{first.machine.pk}/runs/")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index('data-execution="second"') < html.index(f'data-execution="{first.name}"')
    assert f'href="/executions/{second.pk}/"' in html
    assert 'action="/machines/%d/executions/start"' % first.machine.pk in html
    assert '"ws": "/ws/machines/%d/executions/"' % first.machine.pk in html
    assert client_for(bob).get(f"/machines/{first.machine.pk}/runs/").status_code == 404
    listed = client_for(alice).get(f"/machines/{first.machine.pk}/executions.json").json()["executions"]
    assert [e["name"] for e in listed] == ["second", first.name]


def test_it_starts_an_execution_from_the_form_and_opens_the_viewer(alice):
    machine = make_machine(alice, "M", TWO_TASKS)
    r = client_for(alice).post(f"/machines/{machine.pk}/executions/start", {"input": '{"n": 7}', "name": "seven"})
    execution = Execution.objects.get(name="seven")
    assert r.status_code == 302 and r["Location"] == f"/executions/{execution.pk}/"
    assert execution.input == '{"n": 7}'


@pytest.mark.parametrize("form, message", [
    ({"input": "{nope"}, "The execution input is not valid JSON"),
    ({"input": "{}", "name": "has spaces"}, "Invalid Name"),
    ({"input": "{}", "mock_test_case": "NoSuchCase"}, "mock"),
])
def test_it_says_why_it_did_not_start(alice, form, message):
    machine = make_machine(alice, "M", TWO_TASKS)
    r = client_for(alice).post(f"/machines/{machine.pk}/executions/start", form)
    assert r.status_code == 400 and message in r.content.decode()
    r = client_for(alice).post(f"/machines/{machine.pk}/executions/start", form, content_type="application/json")
    assert r.status_code == 400 and message in r.json()["error"]
    assert not Execution.objects.exists()


def test_it_starts_with_a_mock_test_case(alice, worker, settings, tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps({
        "StateMachines": {"M": {"TestCases": {"HappyPath": {"FirstTask": "First", "SecondTask": "Second"}}}},
        "MockedResponses": {"First": {"0": {"Return": {"a": 1}}}, "Second": {"0": {"Return": {"b": 2}}}}}))
    settings.STATELIGHT_MOCK_CONFIG = str(path)
    machine = make_machine(alice, "M", TWO_TASKS)
    r = client_for(alice).post(f"/machines/{machine.pk}/executions/start",
                               {"input": "{}", "mock_test_case": "HappyPath"}, content_type="application/json")
    assert r.status_code == 200
    worker.drain()
    execution = Execution.objects.get(pk=r.json()["execution"])
    assert execution.mock_test_case == "HappyPath" and json.loads(execution.output) == {"b": 2}


def test_start_is_csrf_protected(alice):
    machine = make_machine(alice, "M", TWO_TASKS)
    r = client_for(alice, enforce_csrf_checks=True).post(f"/machines/{machine.pk}/executions/start", {"input": "{}"})
    assert r.status_code == 403


# --- JSON endpoints -------------------------------------------------------------------------

def test_history_gives_the_stored_events_after_an_id(alice, bob, worker):
    execution = started(alice, worker)
    r = client_for(alice).get(f"/executions/{execution.pk}/history?after=10")
    assert [e["id"] for e in r.json()["events"]] == [11, 12]
    assert [e["type"] for e in r.json()["events"]] == ["TaskStateExited", "ExecutionSucceeded"]
    assert r.json()["runs"] == [7, None]  # SecondTask's run, then the execution's own event
    assert r.json()["execution"]["status"] == "SUCCEEDED"
    assert client_for(bob).get(f"/executions/{execution.pk}/history").status_code == 404
    assert Client().get(f"/executions/{execution.pk}/history").status_code == 401
    assert client_for(alice).get(f"/executions/{execution.pk}/history?after=x").status_code == 400


def test_state_detail_gives_a_states_runs_with_errors_retries_and_iterations(alice):
    execution = recorded_execution(alice)
    client = client_for(alice)
    b = client.get(f"/executions/{execution.pk}/states/B").json()
    assert b["status"] == {"status": "succeeded"}
    [run] = b["runs"]
    assert run["retries"] == 1 and run["attempts"][0]["error"] == "UnreliableError"
    assert run["output"] == {"succeededOnAttempt": 2}
    with CaptureQueriesContext(connection) as queries:
        u = client.get(f"/executions/{execution.pk}/states/U?iteration=1").json()
    reads = [q["sql"] for q in queries if 'FROM "designer_historyevent"' in q["sql"]]
    assert reads and all("state_name" in sql or "state_run" in sql for sql in reads)  # never the whole history
    [failed] = u["runs"]
    assert (failed["status"], failed["iteration"]["index"], failed["error"]) == ("failed", 1, "UnreliableError")
    assert "handlers.py" in "".join(json.loads(failed["cause"])["stackTrace"])  # the handler's traceback
    m = client.get(f"/executions/{execution.pk}/states/M").json()
    assert [(it["index"], it["status"]) for it in m["runs"][0]["iterations"]] == [(0, "succeeded"), (1, "failed")]
    nothing = client.get(f"/executions/{execution.pk}/states/Nope").json()
    assert nothing["status"] == {"status": "not-started"} and nothing["runs"] == []


def test_state_detail_gives_each_attempts_log_lines_to_those_who_may_see_the_execution(alice, bob, carol, worker,
                                                                                      clock):
    execution = started(alice, worker, COOK_EACH, input_text=json.dumps(
        {"dishes": [{"dish": "soup"}, {"dish": "stew", "burn": True}]}))
    clock.advance(2)  # the retry's interval
    worker.drain()

    def logged(client, query):
        r = client.get(f"/executions/{execution.pk}/states/Cook?{query}")
        assert r.status_code == 200
        [run] = r.json()["runs"]
        return [[(line["level"], line["logger"], line["message"]) for line in attempt["logs"]["lines"]]
                for attempt in run["attempts"]]

    assert logged(client_for(alice), "iteration=1") == [
        [("INFO", "viewer.cook", "cooking stew, attempt 1")], [("INFO", "viewer.cook", "cooking stew, attempt 2")]]
    assert logged(client_for(carol), "iteration=0") == [[("INFO", "viewer.cook", "cooking soup, attempt 1")]]
    assert client_for(bob).get(f"/executions/{execution.pk}/states/Cook").status_code == 404
    assert Client().get(f"/executions/{execution.pk}/states/Cook").status_code == 401


def test_an_attempts_log_lines_are_fetched_by_its_run_and_attempt_without_reading_the_history(
        alice, bob, worker, clock, django_assert_max_num_queries):
    execution = started(alice, worker, COOK_EACH, input_text=json.dumps({"dishes": [{"dish": "stew", "burn": True}]}))
    clock.advance(2)  # the retry's interval
    worker.drain()
    [run] = HistoryEvent.objects.filter(execution=execution, state_name="Cook").values_list("event_id", flat=True)
    client = client_for(alice)
    url = f"/executions/{execution.pk}/runs/{run}/attempts/1/logs"
    with django_assert_max_num_queries(4):  # the session, its user, the execution, the logs
        r = client.get(url)
    assert r.json()["lines"][0]["message"] == "cooking stew, attempt 2" and r.json()["dropped"] == 0
    assert client.get(f"/executions/{execution.pk}/runs/{run}/attempts/5/logs").json() == {"lines": [], "dropped": 0}
    assert client_for(bob).get(url).status_code == 404


def test_a_waiting_callback_is_answered_from_the_viewer(alice, bob, worker):
    execution = started(alice, worker, CALLBACK, input_text='{"q": 1}')
    client = client_for(alice)
    detail = client.get(f"/executions/{execution.pk}/states/Ask").json()
    # TaskScheduled names the resource without .waitForTaskToken: the definition tells
    assert detail["status"] == {"status": "waiting", "waitingFor": "callback"}
    [task] = client.get(f"/executions/{execution.pk}/tasks").json()["tasks"]
    assert (task["kind"], task["state"]) == ("callback", "Ask")
    assert task["input"]["Payload"]["token"]  # what the resource was given
    assert client_for(bob).post(task["answerUrl"], {"outcome": "success"}, content_type="application/json").status_code == 404
    r = client.post(task["answerUrl"], {"outcome": "success", "output": "{nope"}, content_type="application/json")
    assert r.status_code == 400
    r = client.post(task["answerUrl"], {"outcome": "success", "output": '{"ok": true}'}, content_type="application/json")
    assert r.status_code == 200
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED" and json.loads(execution.output)["answer"] == {"ok": True}
    r = client.post(task["answerUrl"], {"outcome": "success", "output": "{}"}, content_type="application/json")
    assert r.status_code == 409  # single use
    assert client.get(f"/executions/{execution.pk}/tasks").json()["tasks"] == []


def test_a_waiting_activity_task_fails_from_the_viewer(alice, worker):
    activity = Activity.objects.create(arn="arn:aws:states:us-east-1:123456789012:activity:Pack", name="Pack",
                                       region="us-east-1", owner=alice)
    execution = started(alice, worker, {"StartAt": "Pack", "States": {
        "Pack": {"Type": "Task", "Resource": activity.arn, "End": True}}})
    client = client_for(alice)
    [task] = client.get(f"/executions/{execution.pk}/tasks").json()["tasks"]
    assert task["kind"] == "activity"
    r = client.post(task["answerUrl"], {"outcome": "failure", "error": "Broken", "cause": "no boxes"},
                    content_type="application/json")
    assert r.status_code == 200
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Broken", "no boxes")


def test_an_approval_is_listed_with_whether_the_user_may_decide(alice, carol, worker):
    execution = started(alice, worker, {"StartAt": "Check", "States": {"Check": {
        "Type": "Task", "Resource": "arn:aws:states:::statelight:approval", "Parameters": {"Title": "OK?"},
        "End": True}}})
    listed = client_for(alice).get(f"/executions/{execution.pk}/tasks")
    [mine] = listed.json()["tasks"]
    [staff] = client_for(carol).get(f"/executions/{execution.pk}/tasks").json()["tasks"]
    assert (mine["approval"]["title"], mine["approval"]["canDecide"], staff["approval"]["canDecide"]) == ("OK?", False, True)
    token = TaskToken.objects.get(execution=execution)
    assert token.token not in listed.content.decode()  # a decision is its only answer: no token to use
    with pytest.raises(rt.TaskDoesNotExist):
        rt.send_task_success(token.token, '{"Decision": "Approve", "DecidedBy": "carol"}')
    r = client_for(carol).post(f"/executions/{execution.pk}/tasks/{token.pk}/answer", {"outcome": "success"},
                               content_type="application/json")
    assert r.status_code == 400  # an approval is decided with its choices
    detail = client_for(carol).get(f"/executions/{execution.pk}/states/Check").json()
    assert detail["status"] == {"status": "waiting", "waitingFor": "approval"}
    assert detail["pending"][0]["approval"]["decideUrl"] == f"/approvals/{token.pk}/decide"


def test_stop_aborts_a_running_execution(alice, bob, worker):
    execution = started(alice, worker, CALLBACK)
    assert client_for(bob).post(f"/executions/{execution.pk}/stop").status_code == 404
    assert client_for(alice, enforce_csrf_checks=True).post(f"/executions/{execution.pk}/stop").status_code == 403
    r = client_for(alice).post(f"/executions/{execution.pk}/stop", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["execution"]["status"] == "ABORTED"
    execution.refresh_from_db()
    assert execution.cause == "Stopped by alice."
    assert HistoryEvent.objects.filter(execution=execution, type="ExecutionAborted").exists()


def test_redrive_runs_a_failed_execution_again_from_where_it_failed(alice, worker):
    flaky_calls.clear()
    execution = started(alice, worker, {"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ViewerFlaky",
                  "End": True}}})
    assert execution.status == "FAILED"
    client = client_for(alice)
    r = client.post(f"/executions/{execution.pk}/redrive", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["execution"]["redriveCount"] == 1
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED" and json.loads(execution.output) == {"calls": 2}
    r = client.post(f"/executions/{execution.pk}/redrive", {}, content_type="application/json")
    assert r.status_code == 400 and "only FAILED" in r.json()["error"]
