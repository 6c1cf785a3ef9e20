"""ValidateStateMachineDefinition (the engine's validator as AWS's diagnostics) and TestState."""
import json

import engine
import pytest

from .aws import PASS, ROLE, SEED, example


def test_it_validates_a_good_definition(sfn):
    assert sfn.validate_state_machine_definition(definition=example("two_tasks"))["result"] == "OK"
    answer = sfn.validate_state_machine_definition(definition=PASS, type="EXPRESS")
    assert (answer["result"], answer["diagnostics"], answer["truncated"]) == ("OK", [], False)


def test_it_reports_the_seed_retry_catch_problem_at_the_state(sfn):
    path = SEED / "retry-catch.asl.json"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    answer = sfn.validate_state_machine_definition(definition=path.read_text())
    assert answer["result"] == "FAIL"
    expected = [{"severity": p.severity, "code": p.code, "message": p.message, "location": p.path}
                for p in engine.validate(json.loads(path.read_text())) if p.severity == "ERROR"]
    assert answer["diagnostics"] == expected
    assert any(d["location"] == "/States/FailingTask" for d in answer["diagnostics"])


def test_it_reports_json_that_does_not_parse(sfn):
    answer = sfn.validate_state_machine_definition(definition="{oops")
    assert answer["result"] == "FAIL"
    [diagnostic] = answer["diagnostics"]
    assert (diagnostic["code"], diagnostic["severity"]) == ("INVALID_JSON_DESCRIPTION", "ERROR")


def test_it_limits_and_flags_truncated_diagnostics(sfn):
    states = {f"S{n}": {"Type": "Task"} for n in range(5)}
    definition = json.dumps({"StartAt": "S0", "States": states})
    everything = sfn.validate_state_machine_definition(definition=definition)["diagnostics"]
    assert len(everything) >= 5
    answer = sfn.validate_state_machine_definition(definition=definition, maxResults=2)
    assert (len(answer["diagnostics"]), answer["truncated"]) == (2, True)


def test_it_tests_one_state(sfn):
    definition = json.dumps({"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True})
    answer = sfn.test_state(definition=definition, input='{"n": 21}', inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"doubled": 42}
    assert json.loads(answer["inspectionData"]["input"]) == {"n": 21}


def test_it_tests_a_state_of_a_machine_with_a_mocked_task(sfn):
    machine = json.loads(example("two_tasks"))
    answer = sfn.test_state(definition=json.dumps(machine), stateName="FirstTask", input="{}",
                            mock={"result": '{"mocked": true}'})
    assert (answer["status"], answer["nextState"], json.loads(answer["output"])) == (
        "SUCCEEDED", "SecondTask", {"mocked": True})


def test_it_judges_retry_and_catch_of_a_failing_task(sfn):
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Nothing",
             "Retry": [{"ErrorEquals": ["Oops"], "MaxAttempts": 2}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}], "End": True}
    failing = {"errorOutput": {"error": "Oops", "cause": "it broke"}}
    first = sfn.test_state(definition=json.dumps(state), mock=failing)
    assert first["status"] == "RETRIABLE"
    last = sfn.test_state(definition=json.dumps(state), mock=failing,
                          stateConfiguration={"retrierRetryCount": 2})
    assert (last["status"], last["nextState"], last["error"]) == ("CAUGHT_ERROR", "Handle", "Oops")


def test_it_runs_the_task_when_there_is_no_mock(sfn):
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction",
             "End": True}
    answer = sfn.test_state(definition=json.dumps(state), input='{"who": "me"}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"who": "me", "greeting": "Hello from FirstFunction"}


def test_it_refuses_bad_test_state_requests(sfn):
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.test_state(definition='{"Type": "Nope"}')
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.test_state(definition="{nope")
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.test_state(definition=PASS, input="{nope")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.test_state(definition=example("two_tasks"), stateName="Missing")


@pytest.mark.parametrize("definition", [
    '{"States": "abc"}', '{"StartAt": "A", "States": {"A": "abc"}}', '{"StartAt": 1, "States": []}',
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": ' + "[" * 5000 + "]" * 5000 + "}}}",
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": NaN}}}',
])
def test_test_state_refuses_definitions_of_the_wrong_shape_as_invalid(sfn, definition):
    # issue 9: {"States": "abc"} raised a TypeError (HTTP 500)
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.test_state(definition=definition, stateName="A")
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="m", definition=definition, roleArn=ROLE)
