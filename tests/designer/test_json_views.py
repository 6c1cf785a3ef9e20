"""What every JSON endpoint does alike (designer/json_views.py), seen through the designer's
validate endpoint: alice owns the machine, bob is an outsider."""
import json

import pytest
from django.test import Client

from designer.json_views import MAX_BODY
from designer.payloads import MAX_DEPTH
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db

DEFINITION = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def url(alice):
    return f"/machines/{make_machine(alice, 'M', DEFINITION).pk}/validate"


def post(client, url, body: bytes):
    return client.post(url, body, content_type="application/json")


def test_it_answers_a_visitor_who_is_not_logged_in_with_401_not_a_redirect(url):
    r = post(Client(), url, b"{}")
    assert (r.status_code, r.json()) == (401, {"error": "Log in first."})


def test_it_answers_a_method_it_does_not_take_with_405(alice_client, url):
    r = alice_client.get(url)
    assert r.status_code == 405 and r["Allow"] == "POST" and "GET" in r.json()["error"]


def test_what_the_user_may_not_see_does_not_exist(bob, url):
    client = Client()
    client.force_login(bob)
    r = post(client, url, b"{}")
    assert (r.status_code, r.json()) == (404, {"error": "No such state machine."})


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b"[" * 5000 + b"]" * 5000, f"nested more than {MAX_DEPTH} levels deep"),
    (b'{"layout": ' + b'{"a": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 2), "nested more than"),
])
def test_a_body_that_is_not_a_json_object_of_sane_depth_is_refused_saying_why(alice_client, url, body, message):
    r = post(alice_client, url, body)
    assert r.status_code == 400 and message in r.json()["error"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(alice_client, url):
    r = post(alice_client, url, json.dumps({"definition": "x" * MAX_BODY}).encode())
    assert r.status_code == 413 and "larger than 2 MiB" in r.json()["error"]


def test_a_definition_nested_too_deep_is_a_problem_not_a_crash(alice_client, url):
    deep = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ' + "[" * 5000 + "]" * 5000 + ', "End": true}}}'
    r = post(alice_client, url, json.dumps({"definition": deep}).encode())
    assert r.status_code == 200
    [problem] = r.json()["problems"]
    assert problem["code"] == "INVALID_JSON_DESCRIPTION" and "nested more than" in problem["message"]
