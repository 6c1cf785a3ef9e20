"""Start(Sync)Execution, Stop, Redrive, Describe(StateMachineFor)Execution, ListExecutions and
GetExecutionHistory, with the runtime running the executions."""
import json

import pytest
from botocore.exceptions import ClientError

from designer import runtime as rt
from designer.models import Execution

from . import handlers
from .aws import PASS, aws_error, example

WAIT = json.dumps({"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}})
SWITCHABLE = json.dumps({"StartAt": "Try", "States": {"Try": {
    "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Switchable", "End": True}}})


def finished(sfn, arn) -> dict:
    """DescribeExecution once the execution has stopped running."""
    rt.wait_for_execution(Execution.objects.get(arn=arn), timeout=30)
    return sfn.describe_execution(executionArn=arn)


def test_it_runs_the_seed_examples_and_reads_their_history(sfn, create, runtime):
    for name, expected in [("two_tasks", {"order": 7, "greeting": "Hello from FirstFunction",
                                          "farewell": "Goodbye from SecondFunction"}),
                           ("parallel", [{"task": "TaskA", "input": {"order": 7}},
                                         {"task": "TaskB", "input": {"order": 7}}])]:
        machine = create(name, example(name))
        started = sfn.start_execution(stateMachineArn=machine, name="first", input='{"order": 7}')
        assert started["executionArn"] == machine.replace(":stateMachine:", ":execution:") + ":first"
        described = finished(sfn, started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == expected
        assert described["startDate"] == started["startDate"]
        events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
        assert events[0]["type"] == "ExecutionStarted"
        assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"order": 7}
        assert events[-1]["type"] == "ExecutionSucceeded"
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_it_pages_history_forwards_and_backwards_and_leaves_data_out(sfn, create, runtime):
    machine = create("two_tasks", example("two_tasks"))
    arn = sfn.start_execution(stateMachineArn=machine, input='{"secret": 1}')["executionArn"]
    finished(sfn, arn)
    everything = sfn.get_execution_history(executionArn=arn)["events"]
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn, PaginationConfig={"PageSize": 5})
    assert [e["id"] for page in pages for e in page["events"]] == [e["id"] for e in everything]
    backwards = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=3)
    assert [e["id"] for e in backwards["events"]] == [len(everything), len(everything) - 1, len(everything) - 2]
    rest = sfn.get_execution_history(executionArn=arn, reverseOrder=True, nextToken=backwards["nextToken"])
    assert rest["events"][0]["id"] == len(everything) - 3
    # a token of one order is not for the other
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.get_execution_history(executionArn=arn, nextToken=backwards["nextToken"])
    lean = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "secret" not in json.dumps(lean, default=str)
    assert lean[0]["executionStartedEventDetails"] == {
        k: v for k, v in everything[0]["executionStartedEventDetails"].items() if k not in ("input", "inputDetails")}


def test_it_starts_by_name_idempotently_while_running(sfn, create, runtime):
    machine = create("waits", WAIT)
    first = sfn.start_execution(stateMachineArn=machine, name="once", input="{}")
    again = sfn.start_execution(stateMachineArn=machine, name="once", input="{}")
    assert (again["executionArn"], again["startDate"]) == (first["executionArn"], first["startDate"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name="once", input='{"other": 1}')


def test_it_stops_a_running_execution_and_redrives_it(sfn, create, runtime):
    machine = create("waits", WAIT)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "NOT_REDRIVABLE"
    stopped = sfn.stop_execution(executionArn=arn, error="Operator", cause="no longer needed")
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator",
                                                                              "no longer needed")
    assert described["stopDate"] == stopped["stopDate"]
    assert described["redriveStatus"] == "REDRIVABLE"
    assert sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"][0]["type"] == "ExecutionAborted"
    redriven = sfn.redrive_execution(executionArn=arn)
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
    assert described["redriveDate"] == redriven["redriveDate"]


def test_it_redrives_a_failed_execution_to_success(sfn, create, runtime):
    machine = create("switchable", SWITCHABLE)
    handlers.broken.set()
    try:
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        assert finished(sfn, arn)["status"] == "FAILED"
    finally:
        handlers.broken.clear()
    sfn.redrive_execution(executionArn=arn)
    described = finished(sfn, arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"fixed": True})
    assert sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"][0]["redriveCount"] == 1
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=arn)


def test_it_lists_executions_newest_first_by_status_and_page(sfn, create, runtime):
    waits, passes = create("waits", WAIT), create("passes")
    running = [sfn.start_execution(stateMachineArn=waits, name=f"r{n}")["executionArn"] for n in range(3)]
    done = sfn.start_execution(stateMachineArn=passes)["executionArn"]
    finished(sfn, done)
    listed = sfn.list_executions(stateMachineArn=waits)["executions"]
    assert [e["executionArn"] for e in listed] == running[::-1]
    assert set(listed[0]) == {"executionArn", "stateMachineArn", "name", "status", "startDate", "redriveCount"}
    assert sfn.list_executions(stateMachineArn=waits, statusFilter="SUCCEEDED")["executions"] == []
    page = sfn.list_executions(stateMachineArn=waits, maxResults=2)
    rest = sfn.list_executions(stateMachineArn=waits, maxResults=2, nextToken=page["nextToken"])
    assert [e["name"] for e in page["executions"] + rest["executions"]] == ["r2", "r1", "r0"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_executions(stateMachineArn=passes, nextToken=page["nextToken"])
    with pytest.raises(ClientError) as info:
        sfn.list_executions()
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_it_starts_versions_and_aliases_and_lists_by_them(sfn, create, runtime):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=WAIT)  # the machine moves on; v1 stays
    alias = sfn.create_state_machine_alias(name="prod", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    by_version = sfn.start_execution(stateMachineArn=v1)["executionArn"]
    by_alias = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    latest = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert finished(sfn, by_version)["stateMachineVersionArn"] == v1
    described = finished(sfn, by_alias)
    assert (described["stateMachineVersionArn"], described["stateMachineAliasArn"]) == (v1, alias)
    assert sfn.describe_state_machine_for_execution(executionArn=by_alias)["definition"] == PASS
    assert sfn.describe_state_machine_for_execution(executionArn=latest)["definition"] == WAIT
    assert {e["executionArn"] for e in sfn.list_executions(stateMachineArn=v1)["executions"]} == {by_version,
                                                                                                   by_alias}
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=alias)["executions"]] == [by_alias]


def test_it_runs_a_mock_test_case(sfn, create, runtime, settings, tmp_path):
    config = tmp_path / "MockConfigFile.json"
    config.write_text(json.dumps({
        "StateMachines": {"two_tasks": {"TestCases": {"HappyPath": {
            "FirstTask": "MockedFirst", "SecondTask": "MockedSecond"}}}},
        "MockedResponses": {
            "MockedFirst": {"0": {"Return": {"first": "mocked"}}},
            "MockedSecond": {"0": {"Return": {"second": "mocked"}}},
        },
    }))
    settings.STATELIGHT_MOCK_CONFIG = str(config)
    machine = create("two_tasks", example("two_tasks"))
    arn = sfn.start_execution(stateMachineArn=machine + "#HappyPath")["executionArn"]
    described = finished(sfn, arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"second": "mocked"})
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.start_execution(stateMachineArn=machine + "#NoSuchCase")


def test_it_runs_express_machines_synchronously(sfn, create, client_for, alice):
    fast = create("fast", example("two_tasks"), type="EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=fast, input='{"n": 1}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"])["farewell"] == "Goodbye from SecondFunction"
    assert ":express:fast:" in answer["executionArn"]
    assert answer["billingDetails"]["billedDurationInMilliseconds"] >= 100
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=create("slow"))


@pytest.mark.parametrize("members, error", [
    ({"input": "{not json"}, "InvalidExecutionInput"),
    ({"input": json.dumps({"big": "x" * (256 * 1024)})}, "InvalidExecutionInput"),
    ({"input": "[" * 5000 + "]" * 5000}, "InvalidExecutionInput"),  # nested too deep for any parser's stack
    ({"name": "no spaces allowed"}, "InvalidName"),
    ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:activity:a"}, "InvalidArn"),
    ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:missing"}, "StateMachineDoesNotExist"),
])
def test_it_refuses_bad_starts_and_starts_nothing(sfn, create, members, error):
    machine = create("m")
    with pytest.raises(getattr(sfn.exceptions, error)):
        sfn.start_execution(**{"stateMachineArn": machine, **members})
    assert not Execution.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("NaN", "NaN is not a JSON value"),
    ('{"n": 1e999}', "the number 1e999 is out of range"),
    ('"\\ud800"', "lone surrogate (\\ud800)"),
    ("\ud800", "lone surrogate (\\ud800)"),
    ("[" * 5000 + "]" * 5000, "nested more than 500 levels deep"),
    ('{"a": "' + "x" * (256 * 1024) + '"}', "the limit is 262,144 bytes"),
])
def test_every_start_refuses_the_input_aws_refuses_the_same_way(sfn, create, post, text, message):
    # issue 9: StartSyncExecution crashed (500) sizing NaN, 1e999 and "\ud800", which StartExecution took
    standard, express = create("standard"), create("express", type="EXPRESS")
    body = json.dumps({"input": text}).encode("utf-8", "surrogatepass")
    for target, arn in (("StartExecution", standard), ("StartSyncExecution", express)):
        r = post(f"AWSStepFunctions.{target}", body.replace(b"{", b'{"stateMachineArn": "%s", ' % arn.encode(), 1))
        status, code, error = aws_error(r)
        assert (status, code) == (400, "InvalidExecutionInput"), (target, error)
        assert message in error, (target, error)
    assert not Execution.objects.exists()


def test_it_takes_input_up_to_256_kib(sfn, create):
    machine = create("m")
    payload = json.dumps({"big": "x" * (256 * 1024 - 20)})
    assert len(payload.encode()) <= 256 * 1024
    arn = sfn.start_execution(stateMachineArn=machine, input=payload)["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["input"] == payload


def test_it_keeps_other_users_out_of_executions(sfn, create, client_for, bob, carol):
    arn = sfn.start_execution(stateMachineArn=create("m"))["executionArn"]
    as_bob = client_for(bob)
    for call in (as_bob.describe_execution, as_bob.get_execution_history, as_bob.stop_execution,
                 as_bob.describe_state_machine_for_execution):
        with pytest.raises(as_bob.exceptions.ExecutionDoesNotExist):
            call(executionArn=arn)
    assert client_for(carol).describe_execution(executionArn=arn)["executionArn"] == arn
