"""start_execution, start_sync_execution, stop_execution, redrive_execution, wait_for_execution."""
import json

import pytest

import engine

from designer import accounts
from designer import runtime as rt
from designer.models import Execution, HistoryEvent, InboxItem, StateMachineAlias, StateMachineVersion

pytestmark = pytest.mark.django_db(transaction=True)

TWO_TASKS = json.loads(open("examples/two_tasks.asl.json").read())
NAP = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def test_it_creates_a_running_execution_with_its_definition_and_a_start_item(machine, alice):
    m = machine("TwoTasks", TWO_TASKS)
    execution = rt.start_execution(m, owner=alice, name="first", input_text='{"a": 1}')
    # the machine's account: its owner's
    assert execution.arn == f"arn:aws:states:us-east-1:{accounts.account_id(alice)}:execution:TwoTasks:first"
    assert (execution.status, execution.input, execution.type) == ("RUNNING", '{"a": 1}', "STANDARD")
    assert json.loads(execution.definition) == TWO_TASKS
    [item] = InboxItem.objects.filter(execution=execution)
    assert item.kind == "start"


def test_the_name_defaults_to_a_uuid(machine, alice):
    execution = rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice)
    assert len(execution.name) == 36 and execution.arn.endswith(execution.name)


def test_the_same_name_and_input_while_running_is_the_same_execution(machine, alice):
    m = machine("TwoTasks", TWO_TASKS)
    first = rt.start_execution(m, owner=alice, name="once", input_text='{"a": 1}')
    assert rt.start_execution(m, owner=alice, name="once", input_text='{"a": 1}').pk == first.pk
    with pytest.raises(rt.ExecutionAlreadyExists):
        rt.start_execution(m, owner=alice, name="once", input_text='{"a": 2}')
    assert Execution.objects.count() == 1


def test_a_used_name_of_a_closed_execution_is_refused(machine, alice, worker):
    m = machine("TwoTasks", TWO_TASKS)
    rt.start_execution(m, owner=alice, name="once")
    worker.drain()
    with pytest.raises(rt.ExecutionAlreadyExists):
        rt.start_execution(m, owner=alice, name="once")


@pytest.mark.parametrize("text", ["{not json", "", "[1,", "NoneType"])
def test_input_must_be_json(machine, alice, text):
    with pytest.raises(rt.InvalidExecutionInput):
        rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice, input_text=text)


def test_input_over_256_kib_is_refused(machine, alice):
    m = machine("TwoTasks", TWO_TASKS)
    just_fits = json.dumps({"x": "é" * ((256 * 1024 - 10) // 2)}, ensure_ascii=False)
    assert len(just_fits.encode()) <= 256 * 1024
    rt.start_execution(m, owner=alice, input_text=just_fits)
    with pytest.raises(rt.InvalidExecutionInput, match="the limit is 262,144 bytes"):
        rt.start_execution(m, owner=alice, input_text=json.dumps({"x": "é" * (128 * 1024)}, ensure_ascii=False))
    assert Execution.objects.count() == 1


def test_names_follow_aws_rules(machine, alice):
    with pytest.raises(rt.InvalidName):
        rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice, name="has space")


def test_a_version_or_an_alias_chooses_the_definition(machine, alice, worker):
    m = machine("TwoTasks", TWO_TASKS)
    old = {"StartAt": "Old", "States": {"Old": {"Type": "Pass", "Result": "v1", "End": True}}}
    version = StateMachineVersion.objects.create(machine=m, number=1, definition=json.dumps(old),
                                                 role_arn=m.role_arn, revision_id=m.revision_id)
    alias = StateMachineAlias.objects.create(machine=m, name="live", routing=[
        {"stateMachineVersionArn": version.arn, "weight": 100}])
    by_version = rt.start_execution(m, owner=alice, version=version)
    by_alias = rt.start_execution(m, owner=alice, alias=alias)
    assert by_alias.version == version and by_alias.alias == alias
    assert by_version.arn.startswith(f"arn:aws:states:us-east-1:{m.account_id}:execution:TwoTasks:")
    worker.drain()
    for execution in (by_version, by_alias):
        execution.refresh_from_db()
        assert json.loads(execution.output) == "v1"


def test_stop_aborts_at_once(machine, alice, worker):
    execution = rt.start_execution(machine("Nap", NAP), owner=alice)
    worker.drain()
    stopped = rt.stop_execution(execution, error="Enough", cause="a test stopped it")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Enough", "a test stopped it")
    assert stopped.stopped_at is not None and stopped.runtime_state.wake_at is None
    types = list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))
    assert types[-2:] == ["WaitStateAborted", "ExecutionAborted"]
    # stopping a closed execution changes nothing
    assert rt.stop_execution(stopped).status == "ABORTED"


calls = {}


@engine.task_handler("FailsTheFirstTime")
def fails_the_first_time(task_input, context):
    calls[context.execution_arn] = calls.get(context.execution_arn, 0) + 1
    if calls[context.execution_arn] == 1:
        raise RuntimeError("not yet")
    return {"calls": calls[context.execution_arn]}


def test_redrive_continues_a_failed_execution(machine, alice, worker):
    definition = {"StartAt": "Fine", "States": {
        "Fine": {"Type": "Pass", "Result": "kept", "ResultPath": "$.fine", "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FailsTheFirstTime",
                  "ResultPath": "$.flaky", "End": True}}}
    execution = rt.start_execution(machine("Flaky", definition), owner=alice)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "FAILED"
    redriven = rt.redrive_execution(execution)
    assert redriven.status == "RUNNING"
    assert redriven.redrive_count == 1 and redriven.redriven_at is not None
    worker.drain()
    redriven.refresh_from_db()
    assert redriven.status == "SUCCEEDED", (redriven.error, redriven.cause)
    assert json.loads(redriven.output) == {"fine": "kept", "flaky": {"calls": 2}}
    events = list(HistoryEvent.objects.filter(execution=execution).order_by("event_id"))
    assert [e.event_id for e in events] == list(range(1, len(events) + 1))
    assert [e.type for e in events].count("PassStateEntered") == 1  # what succeeded did not run again
    assert "ExecutionRedriven" in [e.type for e in events]


def test_only_closed_unsuccessful_executions_can_be_redriven(machine, alice, worker):
    execution = rt.start_execution(machine("TwoTasks", TWO_TASKS), owner=alice)
    with pytest.raises(rt.ExecutionNotRedrivable):
        rt.redrive_execution(execution)
    worker.drain()
    with pytest.raises(rt.ExecutionNotRedrivable):
        rt.redrive_execution(execution)


def test_wait_for_execution_gives_up_with_a_timeout(machine, alice, worker):
    execution = rt.start_execution(machine("Nap", NAP), owner=alice)
    worker.drain()
    with pytest.raises(rt.ExecutionTimeout):
        rt.wait_for_execution(execution, timeout=0.1)


# --- StartSyncExecution (EXPRESS) ---------------------------------------------------

def test_a_sync_express_execution_runs_to_its_end_in_the_call(machine, alice):
    m = machine("Express", TWO_TASKS, type="EXPRESS")
    result = rt.start_sync_execution(m, owner=alice, name="quick", input_text='{"a": 1}', trace_header="Root=1")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {
        "a": 1, "greeting": "Hello from FirstFunction", "farewell": "Goodbye from SecondFunction"}
    assert result["executionArn"].startswith(f"arn:aws:states:us-east-1:{m.account_id}:express:Express:quick:")
    assert result["stateMachineArn"] == m.arn and result["name"] == "quick"
    assert result["stopDate"] >= result["startDate"]
    assert result["input"] == '{"a": 1}' and result["traceHeader"] == "Root=1"
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100
    assert not Execution.objects.exists()  # nothing durable


def test_a_failing_sync_express_execution_reports_error_and_cause(machine, alice):
    definition = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Bad", "Cause": "input was bad"}}}
    result = rt.start_sync_execution(machine("Express", definition, type="EXPRESS"), owner=alice, input_text="{}")
    assert (result["status"], result["error"], result["cause"]) == ("FAILED", "Bad", "input was bad")
    assert "output" not in result


def test_express_cannot_wait_for_a_callback(machine, alice):
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "TaskA", "Payload": {"t.$": "$$.Task.Token"}}, "End": True}}}
    result = rt.start_sync_execution(machine("Express", definition, type="EXPRESS"), owner=alice, input_text="{}")
    assert result["status"] == "FAILED" and "Express" in result["cause"]


def test_sync_express_waits_really_but_not_past_five_minutes(machine, alice):
    slept = []
    definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 2, "Next": "Long"},
                                               "Long": {"Type": "Wait", "Seconds": 600, "End": True}}}
    now = [1_800_000_000.0]

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    result = rt.start_sync_execution(machine("Express", definition, type="EXPRESS"), owner=alice, input_text="{}",
                                     clock=lambda: now[0], sleep=sleep)
    assert slept == [2, 298]  # its Wait of 600 s is cut short by AWS's 5 minutes for Express
    assert (result["status"], result["error"]) == ("TIMED_OUT", "States.Timeout")
    assert result["stopDate"] - result["startDate"] == 300
