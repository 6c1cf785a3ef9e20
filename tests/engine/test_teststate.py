"""engine.test_state: one state alone, as the TestState API reports it.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html"""
import json

import pytest

import engine

TASK = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": True}


def test_it_shows_each_step_of_the_jsonpath_data_flow():
    state = {"Type": "Pass", "InputPath": "$.in", "Parameters": {"a.$": "$.x"}, "ResultPath": "$.r", "Next": "N"}
    result = engine.test_state(state, input={"in": {"x": 1}}, inspection_level="DEBUG")
    assert result["status"] == "SUCCEEDED" and result["nextState"] == "N"
    assert json.loads(result["output"]) == {"in": {"x": 1}, "r": {"a": 1}}
    data = {k: json.loads(v) for k, v in result["inspectionData"].items()}
    assert data["afterInputPath"] == {"x": 1}
    assert data["afterParameters"] == {"a": 1}
    assert data["afterResultPath"] == {"in": {"x": 1}, "r": {"a": 1}}


def test_it_answers_a_task_with_the_mocked_result():
    result = engine.test_state({**TASK, "ResultSelector": {"v.$": "$.value"}}, mock={"result": {"value": 5}})
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"v": 5})


def test_it_reports_retriable_instead_of_retrying():
    state = {**TASK, "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 3}]}
    first = engine.test_state(state, mock={"errorOutput": {"error": "Boom", "cause": "c"}}, inspection_level="DEBUG")
    assert first["status"] == "RETRIABLE"
    assert first["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    exhausted = engine.test_state(state, mock={"errorOutput": {"error": "Boom"}}, retrier_retry_count=2)
    assert exhausted["status"] == "FAILED"


def test_it_reports_a_caught_error_with_the_catchers_output_and_next_state():
    state = {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler", "ResultPath": "$.error"}]}
    result = engine.test_state(state, input={"k": 1}, mock={"errorOutput": {"error": "Boom", "cause": "why"}})
    assert (result["status"], result["nextState"]) == ("CAUGHT_ERROR", "Handler")
    assert json.loads(result["output"]) == {"k": 1, "error": {"Error": "Boom", "Cause": "why"}}


def test_it_picks_a_state_out_of_a_whole_machine():
    machine = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed"}, "No": {"Type": "Succeed"}}}
    assert engine.test_state(machine, state_name="C", input={"x": 1})["nextState"] == "Yes"
    assert engine.test_state(machine, state_name="C", input={"x": 2})["nextState"] == "No"


def test_it_starts_from_the_given_variables_and_shows_the_new_ones():
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $v + 1 %}", "Assign": {"v": "{% $v * 2 %}"},
             "End": True}
    result = engine.test_state(state, variables={"v": 3}, inspection_level="DEBUG")
    assert json.loads(result["output"]) == 4
    assert json.loads(result["inspectionData"]["variables"]) == {"v": 6}


def test_it_does_not_wait_in_a_wait_state():
    result = engine.test_state({"Type": "Wait", "Seconds": 3600, "Next": "Later"}, input={"x": 1})
    assert (result["status"], result["nextState"]) == ("SUCCEEDED", "Later")


def test_it_refuses_an_invalid_state_with_its_problems():
    with pytest.raises(engine.InvalidDefinition):
        engine.test_state({"Type": "Pass", "Next": 7})
