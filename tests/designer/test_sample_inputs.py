"""A machine's sample inputs in the app: offered by both Run forms (the first pre-filled), kept
and removed from the designer's Run dialog (POST /machines/<pk>/inputs), brought along when a
machine starts from an example."""
import json

import pytest

from designer.models import StateMachine
from tests.helpers import ROOT, make_machine

pytestmark = pytest.mark.django_db

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
ORDERS = '{\n  "Tea": {\n    "item": "tea"\n  },\n  "Cake": {\n    "item": "cake"\n  }\n}\n'


@pytest.fixture
def machine(alice):
    machine = make_machine(alice, "orders", PASS)
    machine.sample_inputs = ORDERS
    machine.save()
    return machine


def keep(client, machine, body):
    return client.post(f"/machines/{machine.pk}/inputs", json.dumps(body), content_type="application/json")


def names(machine):
    machine.refresh_from_db()
    return list(json.loads(machine.sample_inputs or "{}"))


def test_the_runs_page_offers_them_with_the_first_pre_filled(alice_client, machine):
    page = alice_client.get(f"/machines/{machine.pk}/runs/").content.decode()
    assert '<textarea id="start-input" name="input" rows="8" spellcheck="false" class="json-input">{\n  &quot;item&quot;: &quot;tea&quot;\n}</textarea>' in page
    assert '<option value="0" selected>Tea</option><option value="1">Cake</option>' in page
    assert '<script id="sample-inputs" type="application/json">' in page


def test_the_runs_page_without_them_starts_from_an_empty_object(alice_client, alice):
    page = alice_client.get(f"/machines/{make_machine(alice, 'plain', PASS).pk}/runs/").content.decode()
    assert ">{}</textarea>" in page and "sample-inputs" not in page


def test_the_designer_gets_them_in_order(alice_client, machine):
    page = alice_client.get(f"/machines/{machine.pk}/").content.decode()
    config = json.loads(page.split('<script id="designer-config" type="application/json">')[1].split("</script>")[0])
    assert config["sampleInputs"] == [{"name": "Tea", "text": '{\n  "item": "tea"\n}'},
                                      {"name": "Cake", "text": '{\n  "item": "cake"\n}'}]
    assert config["urls"]["inputs"] == f"/machines/{machine.pk}/inputs"


def test_it_keeps_an_input_in_place_of_its_namesake_or_last_and_removes_one(alice_client, machine):
    r = keep(alice_client, machine, {"name": "Tea", "input": '{"item": "green tea"}'})
    assert r.status_code == 200
    assert r.json()["inputs"][0] == {"name": "Tea", "text": '{\n  "item": "green tea"\n}'}
    keep(alice_client, machine, {"name": "Scone", "input": "[1, 2]"})
    assert names(machine) == ["Tea", "Cake", "Scone"]
    assert keep(alice_client, machine, {"name": "Cake", "delete": True}).json()["inputs"][1]["name"] == "Scone"
    machine.refresh_from_db()
    assert machine.sample_inputs == '{\n  "Tea": {\n    "item": "green tea"\n  },\n  "Scone": [\n    1,\n    2\n  ]\n}\n'


@pytest.mark.parametrize("body, status, error", [
    ({"name": "Tea", "input": "{"}, 400, "The input is not valid JSON: Expecting property name"),
    ({"name": "Tea", "input": '{"big": "' + "x" * 262_144 + '"}'}, 400, "The input is 262,155 bytes: the limit is"),
    ({"name": "", "input": "{}"}, 400, "Cannot keep the sample inputs: the name '' must have 1 to 80 characters"),
    ({"name": "x" * 81, "input": "{}"}, 400, "must have 1 to 80 characters"),
    ({"name": "Coffee", "delete": True}, 404, "There is no sample input named 'Coffee'."),
])
def test_it_refuses_what_it_cannot_keep_and_keeps_what_was_there(alice_client, machine, body, status, error):
    r = keep(alice_client, machine, body)
    assert r.status_code == status and error in r.json()["error"]
    machine.refresh_from_db()
    assert machine.sample_inputs == ORDERS


def test_it_keeps_at_most_twenty(alice_client, machine):
    for n in range(18):
        assert keep(alice_client, machine, {"name": f"n{n}", "input": "{}"}).status_code == 200
    r = keep(alice_client, machine, {"name": "one too many", "input": "{}"})
    assert r.status_code == 400 and "it has 21 inputs, more than 20" in r.json()["error"]


def test_only_the_owner_and_staff_may_keep_them(client, machine, bob, carol):
    client.force_login(bob)
    assert keep(client, machine, {"name": "Mine", "input": "{}"}).status_code == 404
    client.force_login(carol)
    assert keep(client, machine, {"name": "Staff", "input": "{}"}).status_code == 200


def test_a_form_needs_the_csrf_token(alice, machine):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert keep(client, machine, {"name": "Tea", "input": "{}"}).status_code == 403


def test_a_machine_started_from_an_example_brings_its_sample_inputs(alice_client):
    r = alice_client.post("/machines/new", {"name": "my_pizza", "type": "STANDARD", "template": "pizza"})
    assert r.status_code == 302
    machine = StateMachine.objects.get(name="my_pizza")
    assert machine.sample_inputs == (ROOT / "examples/pizza.inputs.json").read_text()
    assert machine.definition == (ROOT / "examples/pizza.asl.json").read_text()
