"""The designer's pages and JSON endpoints (designer/editor/views.py)."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from designer import accounts, arns
from designer.models import Execution, StateMachine
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db

TWO_TASKS = json.dumps({
    "Comment": "A simple Step Function example",
    "StartAt": "FirstTask",
    "States": {
        "FirstTask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction",
                      "Next": "SecondTask"},
        "SecondTask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:SecondFunction",
                       "End": True},
    },
}, indent=2)
RETRY_CATCH = json.dumps({
    "StartAt": "FailingTask",
    "States": {
        "FailingTask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:UnreliableFunction",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "ErrorHandler"}]},
        "ErrorHandler": {"Type": "Fail"},
    },
})
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.fixture
def machine(alice):
    return make_machine(alice, "Orders", TWO_TASKS)


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def staff_client(carol):
    client = Client()
    client.force_login(carol)
    return client


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- pages ----------------------------------------------------------------------

def test_it_creates_a_blank_machine_and_opens_the_designer(alice_client, alice):
    r = alice_client.post("/machines/new", {"name": "Blank", "type": "STANDARD", "template": "blank"})
    machine = StateMachine.objects.get(name="Blank")
    assert r.status_code == 302
    assert r["Location"] == f"/machines/{machine.pk}/"
    assert machine.owner == alice
    assert machine.arn == f"arn:aws:states:us-east-1:{accounts.account_id(alice)}:stateMachine:Blank"
    assert json.loads(machine.definition) == {"StartAt": "", "States": {}}


def test_it_creates_a_machine_from_an_example(alice_client):
    alice_client.post("/machines/new", {"name": "Two", "type": "EXPRESS", "template": "two_tasks"})
    machine = StateMachine.objects.get(name="Two")
    assert machine.type == "EXPRESS"
    assert json.loads(machine.definition)["StartAt"] == "FirstTask"


@pytest.mark.parametrize("name", ["", "has space", "x" * 81])
def test_it_refuses_a_bad_name(alice_client, name):
    r = alice_client.post("/machines/new", {"name": name, "template": "blank"})
    assert r.status_code == 400
    assert b"A name has 1 to 80" in r.content
    assert not StateMachine.objects.exists()


def test_it_refuses_a_taken_name(alice_client, machine):
    r = alice_client.post("/machines/new", {"name": "Orders", "template": "blank"})
    assert r.status_code == 400
    assert b"already exists" in r.content


def test_names_are_per_account(bob_client, bob, machine):
    # issue 9: bob creating alice's name was told it exists (names could be probed and squatted)
    r = bob_client.post("/machines/new", {"name": "Orders", "template": "blank"})
    assert r.status_code == 302
    assert StateMachine.objects.get(owner=bob).arn == (
        f"arn:aws:states:us-east-1:{accounts.account_id(bob)}:stateMachine:Orders")


def test_it_renders_the_designer_with_its_config(alice_client, machine):
    machine.layout = {"positions": {"/States/FirstTask": {"x": 1, "y": 2}}}
    machine.save()
    r = alice_client.get(f"/machines/{machine.pk}/")
    assert r.status_code == 200
    config = r.context["config"]
    assert config["definition"] == TWO_TASKS
    assert config["layout"]["positions"]["/States/FirstTask"] == {"x": 1, "y": 2}
    assert config["urls"]["validate"] == f"/machines/{machine.pk}/validate"
    assert b'id="designer-config"' in r.content
    assert b"build/designer.js" in r.content


def test_it_hides_a_machine_from_other_users(bob_client, machine):
    assert bob_client.get(f"/machines/{machine.pk}/").status_code == 404
    assert post(bob_client, f"/machines/{machine.pk}/save", {"definition": PASS}).status_code == 404
    assert bob_client.get(f"/machines/{machine.pk}/export").status_code == 404


def test_a_definition_may_name_only_the_owners_activities(alice_client, staff_client, machine, bob):
    bobs = arns.arn("activity", "us-east-1", "pack", account=accounts.account_id(bob))
    naming = json.dumps({"StartAt": "Pack", "States": {"Pack": {"Type": "Task", "Resource": bobs, "End": True}}})
    url = f"/machines/{machine.pk}/"
    [problem] = post(alice_client, url + "validate", {"definition": naming}).json()["problems"]
    assert (problem["path"], problem["code"]) == ("/States/Pack/Resource", "INVALID_RESOURCE")
    assert bobs in problem["message"]
    assert post(alice_client, url + "save", {"definition": naming}).json()["saved"] == "draft"
    assert post(alice_client, url + "run", {"definition": naming}).status_code == 400
    # the rules are the owner's, even when staff (who may use any activity) edit the machine
    assert post(staff_client, url + "publish", {"definition": naming}).status_code == 400
    assert not Execution.objects.exists()


def test_it_lets_staff_open_any_machine(staff_client, machine):
    assert staff_client.get(f"/machines/{machine.pk}/").status_code == 200


def test_it_answers_json_endpoints_401_when_logged_out(client, machine):
    r = post(client, f"/machines/{machine.pk}/validate", {"definition": PASS})
    assert r.status_code == 401
    assert client.get(f"/machines/{machine.pk}/").status_code == 302


def test_it_needs_the_csrf_token(alice, machine):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert post(client, f"/machines/{machine.pk}/save", {"definition": PASS}).status_code == 403


def test_it_links_the_runs_page(alice_client, machine):
    # the page itself belongs to the execution viewer (designer/viewer.py)
    r = alice_client.get(f"/machines/{machine.pk}/runs/")
    assert r.status_code == 200
    assert b"Runs of Orders" in r.content


# --- validation, drafts, saving ----------------------------------------------------

def test_it_reports_the_seed_retry_catch_problem_on_the_state(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/validate", {"definition": RETRY_CATCH})
    [problem] = r.json()["problems"]
    assert problem["path"] == "/States/FailingTask"
    assert "neither 'Next' nor 'End'" in problem["message"]
    assert problem["severity"] == "ERROR"


def test_it_reports_invalid_json_as_a_problem(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/validate", {"definition": "{ nope"})
    [problem] = r.json()["problems"]
    assert problem["code"] == "INVALID_JSON_DESCRIPTION"


def test_it_autosaves_any_draft_beside_the_definition(alice_client, machine):
    layout = {"positions": {"/States/P": {"x": 10, "y": 20}}}
    r = post(alice_client, f"/machines/{machine.pk}/draft", {"definition": "{ half-typed", "layout": layout})
    assert r.status_code == 200
    machine.refresh_from_db()
    assert machine.draft == "{ half-typed"
    assert machine.layout == layout
    assert machine.definition == TWO_TASKS


def test_it_keeps_no_draft_equal_to_the_definition(alice_client, machine):
    # the designer reformats what it opens: the same document is still no draft
    post(alice_client, f"/machines/{machine.pk}/draft", {"definition": json.dumps(json.loads(TWO_TASKS)), "layout": {}})
    machine.refresh_from_db()
    assert machine.draft == ""
    assert machine.definition == TWO_TASKS


def test_it_saves_a_valid_definition(alice_client, machine):
    revision = machine.revision_id
    r = post(alice_client, f"/machines/{machine.pk}/save", {"definition": PASS, "layout": {"positions": {}}})
    assert r.json()["saved"] == "definition"
    machine.refresh_from_db()
    assert machine.definition == PASS
    assert machine.revision_id != revision


def test_it_saves_an_invalid_definition_as_a_draft_only(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/save", {"definition": RETRY_CATCH})
    assert r.json()["saved"] == "draft"
    assert len(r.json()["problems"]) == 1
    machine.refresh_from_db()
    assert machine.draft == RETRY_CATCH
    assert machine.definition == TWO_TASKS


# --- versions ---------------------------------------------------------------------

def test_it_refuses_to_publish_an_invalid_machine(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/publish", {"definition": RETRY_CATCH})
    assert r.status_code == 400
    assert r.json()["problems"][0]["path"] == "/States/FailingTask"
    assert not machine.versions.exists()


def test_it_publishes_numbered_versions_and_diffs_them(alice_client, machine):
    url = f"/machines/{machine.pk}/"
    assert post(alice_client, url + "publish", {"definition": TWO_TASKS}).json()["version"]["number"] == 1
    second = post(alice_client, url + "publish", {"definition": PASS, "description": "just a pass"}).json()
    assert second["version"]["number"] == 2
    assert second["version"]["arn"].endswith(":Orders:2")
    listed = alice_client.get(url + "versions/").json()["versions"]
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[0]["description"] == "just a pass"
    assert alice_client.get(url + "versions/1/").json()["definition"] == TWO_TASKS
    assert alice_client.get(url + "versions/9/").status_code == 404
    diff = post(alice_client, url + "versions/diff", {"from": "1", "to": "2"}).json()
    assert '-  "StartAt": "FirstTask",' in diff["lines"]
    assert '+  "StartAt": "P",' in diff["lines"]
    same = post(alice_client, url + "versions/diff", {"from": "2", "to": "editor", "definition": json.dumps(json.loads(PASS), indent=4)})
    assert same.json()["lines"] == []  # formatting is not a difference
    assert post(alice_client, url + "versions/diff", {"from": "7", "to": "saved"}).status_code == 400


# --- import / export ----------------------------------------------------------------

def test_it_imports_json_and_yaml(alice_client, machine):
    url = f"/machines/{machine.pk}/import"
    r = alice_client.post(url, {"text": PASS})
    assert r.json()["definition"] == json.loads(PASS)
    yaml_text = "StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    End: true\n"
    r = alice_client.post(url, {"file": SimpleUploadedFile("m.yaml", yaml_text.encode())})
    assert r.json()["definition"] == {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}


@pytest.mark.parametrize("text,error", [
    ("", "Nothing to import"),
    ("[1, 2]", "Not a state machine"),
    ("a: [unclosed", "Neither JSON nor YAML"),
    ("StartAt: A\nStates:\n  A: {Type: Pass, End: true, When: 2024-01-01}\n", "JSON cannot hold"),
])
def test_it_refuses_what_it_cannot_import(alice_client, machine, text, error):
    r = alice_client.post(f"/machines/{machine.pk}/import", {"text": text})
    assert r.status_code == 400
    assert error in r.json()["error"]


LAUGHS = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(12))


@pytest.mark.parametrize("text,error", [
    ("{" * 5000, "brackets nest more than 500 levels deep"),
    ("[" * 600 + "]" * 600, "brackets nest more than 500 levels deep"),
    # LibYAML refuses it itself; PyYAML's pure-Python composer recurses past Python's limit
    ("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 1200)), ("increasing block level", "nested more than")),
    (LAUGHS + "StartAt: A\nStates: {A: {Type: Pass, End: true}}\n", "once its aliases are written out"),
    ("a: &a [*a]\nStates: {}\n", "refers to itself"),
    ("x" * (1024 * 1024 + 1), "at most 1,048,576 (1 MiB) can be imported"),
    ("States: {}\nx: [" + ",".join(["[]"] * 60_000) + "]", "at most 50,000 are imported from YAML"),
    ('{"StartAt": "A", "States": {}, "Comment": "\\ud800"}', "lone surrogate (\\ud800)"),
])
def test_it_bounds_what_it_imports_before_parsing_it(alice_client, machine, text, error):
    # issue 9: 5,000 '{' held PyYAML's pure-Python scanner for 57 s, then answered 500
    r = alice_client.post(f"/machines/{machine.pk}/import", {"text": text})
    assert r.status_code == 400
    assert any(e in r.json()["error"] for e in ((error,) if isinstance(error, str) else error))


def test_it_never_hands_too_deep_a_document_to_the_yaml_parser(alice_client, machine, monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the YAML parser ran")

    monkeypatch.setattr("designer.editor.imports.yaml.load", parse)
    r = alice_client.post(f"/machines/{machine.pk}/import", {"file": SimpleUploadedFile("m.yaml", b"{" * 5000)})
    assert r.status_code == 400
    assert "nest more than" in r.json()["error"]


def test_it_exports_the_definition_as_a_file(alice_client, machine):
    r = alice_client.get(f"/machines/{machine.pk}/export")
    assert r.content.decode() == TWO_TASKS
    assert r["Content-Disposition"] == 'attachment; filename="Orders.asl.json"'


# --- run ------------------------------------------------------------------------------

def test_it_refuses_to_run_an_invalid_definition(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/run", {"definition": RETRY_CATCH, "input": "{}"})
    assert r.status_code == 400
    assert not Execution.objects.exists()


def test_it_refuses_input_that_is_not_json(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/run", {"definition": TWO_TASKS, "input": "{"})
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]


def test_it_saves_and_starts_an_execution_then_points_at_the_viewer(alice_client, machine, alice):
    r = post(alice_client, f"/machines/{machine.pk}/run", {"definition": PASS, "input": '{"n": 1}'})
    assert r.status_code == 200
    execution = Execution.objects.get()
    assert r.json()["url"] == f"/executions/{execution.pk}/"
    assert execution.input == '{"n": 1}'
    assert execution.definition == PASS
    machine.refresh_from_db()
    assert machine.definition == PASS


def test_it_reports_an_unknown_mock_test_case(alice_client, machine):
    r = post(alice_client, f"/machines/{machine.pk}/run", {"definition": TWO_TASKS, "input": "{}", "mock_test_case": "Nope"})
    assert r.status_code == 400
    assert r.json()["error"]
