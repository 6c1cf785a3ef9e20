"""Bad input is a clear error, never a Python exception (issue 9 §2): JSON nested ~1,500 levels deep
raised RecursionError, and NaN, 1e999 or a lone surrogate crashed while sizing the payload."""
import json

import pytest

import engine
from engine.serialize import MAX_DEPTH, InvalidPayload, depth_of, read_payload

ECHO = "arn:aws:lambda:us-east-1:123456789012:function:Echo"


def nested(depth, leaf=1):
    """[[...[leaf]...]] `depth` arrays deep, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("text, says", [
    ("NaN", "NaN is not a JSON value"),
    ('{"a": Infinity}', "Infinity is not a JSON value"),
    ("[-Infinity]", "-Infinity is not a JSON value"),
    ('{"n": 1e999}', "the number 1e999 is out of range"),
    ('"\\ud800"', "lone surrogate (\\ud800)"),
    ('{"a": "x\\udfff"}', "lone surrogate (\\udfff)"),
    ('"\ud800"', "lone surrogate (\\ud800) at character 1"),
    ("[" * 501 + "]" * 501, f"nested more than {MAX_DEPTH} levels deep"),
    ("[" * 100_000 + "]" * 100_000, f"nested more than {MAX_DEPTH} levels deep"),
    ('{"a": ' + json.dumps("x" * 262_144) + "}", "the limit is 262,144 bytes"),
    ("{", "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    ("", "not valid JSON: Expecting value at line 1 column 1"),
])
def test_read_payload_refuses_what_aws_refuses_with_a_reason(text, says):
    with pytest.raises(InvalidPayload) as refused:
        read_payload(text)
    assert refused.value.error == "InvalidExecutionInput" and says in str(refused.value)
    assert str(refused.value).startswith("The execution input ")


def test_read_payload_takes_what_aws_takes_and_names_its_error():
    assert depth_of(read_payload("[" * 500 + "]" * 500)) == 500
    assert read_payload('{"a": "\\ud83d\\ude00", "b": 1.5e300}') == {"a": "😀", "b": 1.5e300}
    with pytest.raises(InvalidPayload) as refused:
        read_payload("NaN", error="InvalidOutput", what="The task's output")
    assert refused.value.error == "InvalidOutput" and str(refused.value).startswith("The task's output")


def test_read_payload_lets_escaped_lone_surrogates_through_for_a_reader_that_refuses_them_itself():
    # the AWS API's request body: a surrogate in a taskToken is InvalidToken, in an ARN InvalidArn
    assert read_payload('{"taskToken": "a\\ud800"}', surrogates=True) == {"taskToken": "a\ud800"}
    with pytest.raises(InvalidPayload, match="NaN is not a JSON value"):
        read_payload('{"a": "\\ud800", "b": NaN}', surrogates=True)


def test_depth_of_counts_without_recursion_and_stops_past_the_limit():
    assert [depth_of(v) for v in (1, [], {}, [{}], {"a": [1, {"b": None}]})] == [0, 1, 1, 2, 3]
    assert depth_of(nested(100_000)) == MAX_DEPTH + 1


def test_an_input_nested_too_deep_fails_the_execution_as_a_data_limit():
    machine = engine.parse({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    result = engine.run(machine, nested(2_000))
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert f"nested more than {MAX_DEPTH} levels deep" in result.cause
    assert engine.run(machine, nested(MAX_DEPTH)).status == "SUCCEEDED"


def test_a_loop_that_nests_its_data_deeper_each_turn_fails_at_the_limit():
    loop = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"x.$": "$"}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}], "Default": "P"},
        "E": {"Type": "Succeed"}}}
    result = engine.run(engine.parse(loop), {})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert result.cause == (f"The state/task 'P' returned a result nested more than {MAX_DEPTH} levels deep, "
                            "Statelight's limit for any JSON value.")


def test_jsonata_and_variables_cannot_nest_past_the_limit_either():
    loop = {"QueryLanguage": "JSONata", "StartAt": "I", "States": {
        "I": {"Type": "Pass", "Assign": {"v": {}}, "Next": "P"},
        "P": {"Type": "Pass", "Assign": {"v": "{% {'a': $v} %}"}, "Output": "{% $v %}", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% false %}", "Next": "E"}], "Default": "P"},
        "E": {"Type": "Succeed"}}}
    result = engine.run(engine.parse(loop), {})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_a_task_result_nested_too_deep_fails_the_task():
    registry = engine.handlers.Registry()
    registry.register("Echo", lambda event, context: nested(MAX_DEPTH + 1))
    machine = engine.parse({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ECHO, "End": True}}})
    result = engine.run(machine, {}, registry=registry)
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert "nested more than" in result.cause


def test_a_deep_scan_over_deep_data_answers():
    deep = {}
    node = deep
    for _ in range(MAX_DEPTH - 10):
        node["a"] = {}
        node = node["a"]
    machine = engine.parse({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$..a", "End": True}}})
    result = engine.run(machine, deep)
    assert result.status in ("SUCCEEDED", "FAILED") and (result.error in (None, "States.Runtime"))


def test_the_validator_refuses_a_definition_nested_too_deep():
    (problem,) = engine.validate({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": nested(5_000),
                                                                   "End": True}}})
    assert (problem.path, problem.code) == ("", "TOO_DEEPLY_NESTED")
    with pytest.raises(engine.InvalidDefinition):
        engine.parse(nested(5_000))
