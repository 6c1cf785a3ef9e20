"""manage.py create_access_key, apply and export."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer import accounts
from designer.models import AccessKey, StateMachine
from tests.helpers import ROOT

from .aws import PASS, SEED, example


def manage(api_db, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{api_db}"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


# --- create_access_key --------------------------------------------------------------

def test_it_prints_exactly_two_lines_with_a_key_that_works(api_db, alice, client_for):
    done = manage(api_db, "create_access_key", "alice")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and done.stdout.endswith("\n")
    key_id, secret = lines[0].removeprefix("AWS_ACCESS_KEY_ID="), lines[1].removeprefix("AWS_SECRET_ACCESS_KEY=")
    assert lines[0].startswith("AWS_ACCESS_KEY_ID=AKIA") and len(key_id) == 20 and key_id.isupper()
    assert lines[1].startswith("AWS_SECRET_ACCESS_KEY=") and len(secret) == 40
    assert AccessKey.objects.get(access_key_id=key_id).user == alice
    assert client_for((key_id, secret)).list_state_machines()["stateMachines"] == []


def test_it_fails_for_an_unknown_user(api_db):
    done = manage(api_db, "create_access_key", "nobody")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "nobody" in done.stderr and "--create-user" in done.stderr
    assert not AccessKey.objects.exists()


def test_it_creates_the_user_when_asked_and_reuses_an_existing_one(api_db, alice):
    call_command("create_access_key", "dave", "--create-user", stdout=open(os.devnull, "w"))
    dave = get_user_model().objects.get(username="dave")
    assert not dave.has_usable_password()
    call_command("create_access_key", "alice", "--create-user", stdout=open(os.devnull, "w"))
    assert get_user_model().objects.filter(username="alice").count() == 1
    assert AccessKey.objects.filter(user=alice).count() == 1


# --- apply and export -----------------------------------------------------------------

@pytest.fixture
def admin(api_db):
    return get_user_model().objects.create_superuser("admin", password="x")


def test_it_applies_the_examples_idempotently(api_db, admin, capsys):
    call_command("apply", str(ROOT / "examples"))
    names = sorted(p.name.removesuffix(".asl.json") for p in (ROOT / "examples").glob("*.asl.json"))
    assert sorted(StateMachine.objects.values_list("name", flat=True)) == names
    machine = StateMachine.objects.get(name="two_tasks")
    assert (machine.definition, machine.owner) == (example("two_tasks"), admin)
    revision = machine.revision_id
    out = capsys.readouterr().out
    assert "created two_tasks (arn:aws:states:us-east-1:123456789012:stateMachine:two_tasks)" in out
    call_command("apply", str(ROOT / "examples"))
    assert capsys.readouterr().out.count("unchanged") == len(names)
    machine.refresh_from_db()
    assert machine.revision_id == revision


def test_it_updates_changed_files_and_reads_layouts(api_db, admin, tmp_path, capsys):
    bob = get_user_model().objects.create_user("bob")
    (tmp_path / "m.asl.json").write_bytes(example("two_tasks").encode())
    call_command("apply", str(tmp_path), "--owner", "bob", "--region", "eu-west-1")
    changed = example("parallel").replace("\n", "\r\n")  # kept byte for byte
    (tmp_path / "m.asl.json").write_bytes(changed.encode())
    (tmp_path / "m.layout.json").write_text(json.dumps({"nodes": {"FirstTask": {"x": 1, "y": 2}}}))
    call_command("apply", str(tmp_path), "--owner", "bob", "--region", "eu-west-1")
    assert "updated m" in capsys.readouterr().out
    machine = StateMachine.objects.get(arn=f"arn:aws:states:eu-west-1:{accounts.account_id(bob)}:stateMachine:m")
    assert (machine.definition, machine.layout, machine.owner) == (
        changed, {"nodes": {"FirstTask": {"x": 1, "y": 2}}}, bob)


def test_it_reports_invalid_files_applies_the_rest_and_exits_1(api_db, admin, tmp_path):
    shutil.copy(ROOT / "examples" / "two_tasks.asl.json", tmp_path)
    retry_catch = SEED / "retry-catch.asl.json"
    broken_text = retry_catch.read_text() if retry_catch.exists() else json.dumps(
        {"StartAt": "FailingTask", "States": {"FailingTask": {"Type": "Task", "Resource": "arn:x"}}})
    (tmp_path / "retry_catch.asl.json").write_text(broken_text)
    (tmp_path / "not json.asl.json").write_text("{")
    done = manage(api_db, "apply", str(tmp_path))
    assert done.returncode == 1
    assert "created two_tasks" in done.stdout
    assert "invalid retry_catch" in done.stderr and "/States/FailingTask" in done.stderr
    assert "invalid not json" in done.stderr
    assert list(StateMachine.objects.values_list("name", flat=True)) == ["two_tasks"]


def test_it_exports_definitions_exactly_and_applies_them_back_unchanged(api_db, admin, sfn, tmp_path, capsys):
    odd = '{"StartAt":"P",\r\n  "States":{"P":{"Type":"Pass","End":true}}}   '
    sfn.create_state_machine(name="odd", definition=odd, roleArn="arn:aws:iam::123456789012:role/R")
    call_command("apply", str(ROOT / "examples"), "--owner", "alice")
    StateMachine.objects.filter(name="two_tasks").update(layout={"FirstTask": [10, 20]})
    call_command("export", str(tmp_path / "out"), "--owner", "alice")
    assert (tmp_path / "out" / "odd.asl.json").read_bytes() == odd.encode()
    assert (tmp_path / "out" / "two_tasks.asl.json").read_bytes() == (ROOT / "examples" / "two_tasks.asl.json").read_bytes()
    assert json.loads((tmp_path / "out" / "two_tasks.layout.json").read_text()) == {"FirstTask": [10, 20]}
    assert not (tmp_path / "out" / "odd.layout.json").exists()
    capsys.readouterr()
    call_command("apply", str(tmp_path / "out"), "--owner", "alice")
    out = capsys.readouterr().out
    assert "unchanged odd" in out and "created" not in out and "updated" not in out


def test_names_are_per_account_in_files_too(api_db, admin, alice, tmp_path):
    # alice's m and the admin's m are two machines; each exports and applies back as its own
    (tmp_path / "m.asl.json").write_text(example("two_tasks"))
    call_command("apply", str(tmp_path), "--owner", "alice", stdout=open(os.devnull, "w"))
    call_command("apply", str(tmp_path), stdout=open(os.devnull, "w"))
    mine, admins = StateMachine.objects.get(owner=alice), StateMachine.objects.get(owner=admin)
    assert mine.arn == f"arn:aws:states:us-east-1:{accounts.account_id(alice)}:stateMachine:m"
    assert admins.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:m"  # the first admin's account
    StateMachine.objects.filter(pk=mine.pk).update(definition=PASS)
    call_command("export", str(tmp_path / "alice"), "--owner", "alice", stdout=open(os.devnull, "w"))
    call_command("export", str(tmp_path / "admin"), stdout=open(os.devnull, "w"))
    assert (tmp_path / "alice" / "m.asl.json").read_text() == PASS
    assert (tmp_path / "admin" / "m.asl.json").read_text() == example("two_tasks")


def test_it_needs_an_owner(api_db, tmp_path):
    with pytest.raises(CommandError, match="--owner"):
        call_command("apply", str(tmp_path))
    with pytest.raises(CommandError, match="not a directory"):
        call_command("apply", str(tmp_path / "missing"), "--owner", "x")
