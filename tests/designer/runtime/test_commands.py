"""Where the runtime runs: the serving process of `runserver` (never the autoreloader's
parent), `statelight_worker`; never `migrate` or other commands."""
import json
import os
import subprocess
import sys

from daphne.management.commands.runserver import Command as DaphneRunserver
from django.contrib.auth import get_user_model
from django.core.management import get_commands, load_command_class

from designer import runtime as rt
from designer.models import Execution
from tests.helpers import ROOT, make_machine, migrated_sqlite, using_database

from .durable import durable_server, log_lines, wait_until

CHAIN = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Slow",
                                          "End": True}}}


def test_runserver_is_daphnes_with_the_runtime():
    assert get_commands()["runserver"] == "designer"
    assert isinstance(load_command_class("designer", "runserver"), DaphneRunserver)


def test_other_commands_never_run_executions(tmp_path, django_db_blocker):
    url = migrated_sqlite(tmp_path)
    with django_db_blocker.unblock(), using_database(url, tmp_path):
        owner = get_user_model().objects.create_user("cmd")
        execution = rt.start_execution(make_machine(owner, "Chain", CHAIN), owner=owner)
        env = {**os.environ, "DATABASE_URL": url}
        for command in (["migrate", "--no-input"], ["check"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
        assert Execution.objects.get(pk=execution.pk).last_event_id == 0


def test_only_the_reloaders_child_runs_the_runtime(tmp_path, django_db_blocker):
    url = migrated_sqlite(tmp_path)
    log_path = tmp_path / "calls.log"
    server = durable_server(url, log_path, tmp_path)
    with django_db_blocker.unblock(), using_database(url, tmp_path):
        owner = get_user_model().objects.create_user("reload")
        machine = make_machine(owner, "Chain", CHAIN)
        try:
            server.start(reload=True)
            executions = [rt.start_execution(machine, owner=owner, input_text=json.dumps({"n": n})) for n in range(3)]
            for execution in executions:
                assert rt.wait_for_execution(execution, timeout=30).status == "SUCCEEDED"
            wait_until(lambda: len(log_lines(log_path)) == 6, 10, "the tasks did not run")
        finally:
            server.stop()
    pids = {pid for _, pid, _ in log_lines(log_path)}
    assert len(pids) == 1 and pids != {str(server.process.pid)}  # the child did the work, the watcher none
