import json

import pytest

from designer.editor.examples import load_examples
from designer.models import StateMachine


def arn(name):
    return f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"

pytestmark = pytest.mark.django_db


def write_machine(directory, name, definition):
    (directory / f"{name}.asl.json").write_text(json.dumps(definition))


def test_it_redirects_anonymous_user_to_login(client):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/login/?next=/"


def test_it_lists_my_machines_with_edit_and_runs_links(alice_client, alice, bob):
    mine = StateMachine.objects.create(arn=arn("Mine"), name="Mine", region="us-east-1", owner=alice, definition="{}")
    StateMachine.objects.create(arn=arn("Theirs"), name="Theirs", region="us-east-1", owner=bob, definition="{}")
    r = alice_client.get("/")
    assert r.status_code == 200
    assert [m.name for m in r.context["machines"]] == ["Mine"]
    html = r.content.decode()
    assert f'href="/machines/{mine.pk}/"' in html
    assert f'href="/machines/{mine.pk}/runs/"' in html
    assert "Theirs" not in html


def test_it_shows_staff_every_machine(client, alice, carol):
    StateMachine.objects.create(arn=arn("Mine"), name="Mine", region="us-east-1", owner=alice, definition="{}")
    client.force_login(carol)
    assert [m.name for m in client.get("/").context["machines"]] == ["Mine"]


def test_it_offers_the_shipped_examples_to_start_from(alice_client):
    r = alice_client.get("/machines/new")
    examples = {example.name: example for example in r.context["examples"]}
    assert {"two_tasks", "parallel"} <= examples.keys()
    assert examples["two_tasks"].comment == "A simple Step Function example"
    assert examples["two_tasks"].state_count == 2
    # ParallelState and the one task in each of its two branches
    assert examples["parallel"].state_count == 3
    assert b"two_tasks (2 states)" in r.content


def test_it_counts_states_inside_map_and_parallel(alice_client, settings, tmp_path):
    settings.STATELIGHT_EXAMPLES_DIR = tmp_path
    inner = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    write_machine(tmp_path, "nested", {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "ItemProcessor": inner, "Next": "Legacy"},
            "Legacy": {"Type": "Map", "Iterator": inner, "Next": "Par"},
            "Par": {"Type": "Parallel", "Branches": [inner, inner], "End": True},
        },
    })
    [example] = load_examples(tmp_path)
    assert example.state_count == 3 + 1 + 1 + 2


def test_it_leaves_broken_examples_out(alice_client, settings, tmp_path):
    settings.STATELIGHT_EXAMPLES_DIR = tmp_path
    (tmp_path / "broken.asl.json").write_text("{ not json")
    write_machine(tmp_path, "no_states", {"StartAt": "A"})
    errors = {example.name: example.error for example in load_examples(tmp_path)}
    assert errors["broken"].startswith("unreadable:")
    assert errors["no_states"] == "not a state machine: no States object"
    assert alice_client.get("/machines/new").context["examples"] == []


def test_it_says_so_when_there_are_no_machines(alice_client):
    r = alice_client.get("/")
    assert r.status_code == 200
    assert list(r.context["machines"]) == []
    assert b"No state machines yet" in r.content


def test_it_shows_the_user_and_a_logout_form(alice_client):
    r = alice_client.get("/")
    html = r.content.decode()
    assert "alice" in html
    # logging out is a POST with a CSRF token, never a GET link
    assert 'action="/accounts/logout/"' in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html


def test_it_logs_in_with_the_login_form(client, alice):
    r = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})
    assert r.status_code == 302
    assert r["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_rejects_a_wrong_password(client, alice):
    r = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert r.status_code == 200
    assert b"Please enter a correct username and password" in r.content


def test_it_logs_out(alice_client):
    r = alice_client.post("/accounts/logout/")
    assert r.status_code == 302
    assert alice_client.get("/").status_code == 302


def test_it_serves_the_stylesheet(client):
    r = client.get("/static/css/app.css")
    assert r.status_code == 200
    assert b"--accent" in b"".join(r.streaming_content)
