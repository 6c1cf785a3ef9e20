"""The real AWS CLI (`python -m awscli`) against a live server."""
import json
import os
import subprocess
import sys

import pytest

from designer import runtime as rt
from designer.models import Execution
from tests.helpers import ROOT

from .aws import REGION, ROLE


@pytest.fixture
def aws(server, credentials, alice, tmp_path):
    """aws("stepfunctions", "list-state-machines", ...) -> (exit status, parsed JSON or None, stderr)."""
    key_id, secret = credentials(alice)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION,
        # StartSyncExecution and TestState would otherwise go to sync-<host>
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-creds"),
        "AWS_PAGER": "",
    }

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "awscli", *args, "--endpoint-url", server, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=120)
        output = json.loads(done.stdout) if done.stdout.strip() else None
        return done.returncode, output, done.stderr
    return run


def test_it_lets_the_cli_create_run_and_read_a_state_machine(aws, runtime):
    definition = ROOT / "examples" / "two_tasks.asl.json"
    status, created, err = aws("stepfunctions", "create-state-machine", "--name", "two_tasks",
                               "--definition", f"file://{definition}", "--role-arn", ROLE)
    assert status == 0, err
    arn = created["stateMachineArn"]
    status, listed, _ = aws("stepfunctions", "list-state-machines")
    assert [m["name"] for m in listed["stateMachines"]] == ["two_tasks"]
    status, started, err = aws("stepfunctions", "start-execution", "--state-machine-arn", arn,
                               "--input", '{"from": "cli"}')
    assert status == 0, err
    rt.wait_for_execution(Execution.objects.get(arn=started["executionArn"]), timeout=30)
    status, described, _ = aws("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["from"] == "cli"
    status, history, _ = aws("stepfunctions", "get-execution-history", "--execution-arn", started["executionArn"],
                             "--reverse-order", "--max-items", "1")
    assert [e["type"] for e in history["events"]] == ["ExecutionSucceeded"]
    assert "NextToken" in history


def test_it_lets_the_cli_run_express_machines_synchronously(aws):
    status, created, err = aws("stepfunctions", "create-state-machine", "--name", "fast", "--type", "EXPRESS",
                               "--definition", f"file://{ROOT / 'examples' / 'two_tasks.asl.json'}",
                               "--role-arn", ROLE)
    assert status == 0, err
    status, answer, err = aws("stepfunctions", "start-sync-execution",
                              "--state-machine-arn", created["stateMachineArn"], "--input", "{}")
    assert status == 0, err
    assert answer["status"] == "SUCCEEDED"


def test_it_lets_the_cli_be_an_activity_worker(aws, runtime):
    status, activity, _ = aws("stepfunctions", "create-activity", "--name", "bake")
    definition = json.dumps({"StartAt": "Bake", "States": {"Bake": {
        "Type": "Task", "Resource": activity["activityArn"], "End": True}}})
    _, machine, _ = aws("stepfunctions", "create-state-machine", "--name", "baking", "--definition", definition,
                        "--role-arn", ROLE)
    _, started, _ = aws("stepfunctions", "start-execution", "--state-machine-arn", machine["stateMachineArn"])
    # a read timeout above the 60 s long poll, as the README says
    status, task, err = aws("stepfunctions", "get-activity-task", "--activity-arn", activity["activityArn"],
                            "--worker-name", "cli", "--cli-read-timeout", "70")
    assert status == 0, err
    status, _, err = aws("stepfunctions", "send-task-success", "--task-token", task["taskToken"],
                         "--task-output", '{"baked": true}')
    assert status == 0, err
    done = rt.wait_for_execution(Execution.objects.get(arn=started["executionArn"]), timeout=30)
    assert json.loads(done.output) == {"baked": True}


def test_it_gives_the_cli_aws_errors(aws, server):
    status, _, err = aws("stepfunctions", "describe-state-machine", "--state-machine-arn",
                         "arn:aws:states:us-east-1:123456789012:stateMachine:missing")
    assert status in (254, 255), err  # AWS CLI v2 / v1
    assert "(StateMachineDoesNotExist)" in err
    status, answer, err = aws("stepfunctions", "validate-state-machine-definition", "--definition",
                              '{"StartAt": "A", "States": {"A": {"Type": "Task"}}}')
    assert status == 0, err
    assert answer["result"] == "FAIL"
    assert {d["location"] for d in answer["diagnostics"]} >= {"/States/A"}
    status, _, err = aws("stepfunctions", "list-state-machines", "--no-sign-request")
    assert status in (254, 255)
    assert "MissingAuthenticationTokenException" in err
