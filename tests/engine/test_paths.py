"""What AWS does when a path field selects nothing, when a Wait's SecondsPath is negative or not an
integer, and how bracket notation unescapes member names (issue 9 §6). One table decides the
cause for every path field (engine.payload.nothing_selected).

Sources: the conformance cases recorded on AWS (InputPath, OutputPath, a Parameters `.$` key,
ErrorPath); for the fields no case records, LocalStack's implementation, which its tests check
against AWS, and the serverless-step-functions plugin: TimeoutSecondsPath/HeartbeatSecondsPath
answer as InputPath does, SecondsPath/TimestampPath "do not reference an input value"
(https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html,
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html).
"""
import pytest

import engine
from engine.jsonpath import compile_path

PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2). "
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:F"


def failure(state, data=None, **more):
    machine = engine.parse({"StartAt": "S", "States": {"S": {**state, **more}}})
    registry = engine.handlers.Registry()
    registry.register("F", lambda event, context: {"ok": 1})
    result = engine.run(machine, {"a": 1} if data is None else data, registry=registry, fast_time=True)
    return result.status, result.error, result.cause


PASS = {"Type": "Pass", "End": True}
TASK = {"Type": "Task", "Resource": LAMBDA, "End": True}
WAIT = {"Type": "Wait", "End": True}
MAP = {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "I", "States": {"I": PASS}}}


@pytest.mark.parametrize("state, field, cause", [
    (PASS, {"InputPath": "$.x.y"}, "Invalid path '$.x.y' : No results for path: $['x']['y']"),
    (PASS, {"OutputPath": "$.nope"}, "Invalid path '$.nope' : No results for path: $['nope']"),
    (PASS, {"InputPath": "$$.Execution.Nope"}, "Invalid path '$$.Execution.Nope' : No results for path: "
                                               "$['Execution']['Nope']"),
    (TASK, {"TimeoutSecondsPath": "$.t"}, "Invalid path '$.t' : No results for path: $['t']"),
    (TASK, {"HeartbeatSecondsPath": "$.h"}, "Invalid path '$.h' : No results for path: $['h']"),
    (WAIT, {"SecondsPath": "$.s"}, "The SecondsPath parameter does not reference an input value: $.s"),
    (WAIT, {"TimestampPath": "$.t"}, "The TimestampPath parameter does not reference an input value: $.t"),
    (PASS, {"Parameters": {"v.$": "$.nope"}},
     "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{\"a\":1}'"),
    (TASK, {"ResultSelector": {"v.$": "$.nope"}},
     "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{\"ok\":1}'"),
    (MAP, {"ItemsPath": "$.items"},
     "The JSONPath '$.items' specified for the field 'ItemsPath' could not be found in the input '{\"a\":1}'"),
    (MAP, {"ItemsPath": "$", "MaxConcurrencyPath": "$.m"}, None),
])
def test_a_path_that_selects_nothing_fails_with_the_cause_aws_gives_for_its_field(state, field, cause):
    data = [1] if "MaxConcurrencyPath" in field else None
    status, error, got = failure(state, data, **field)
    assert (status, error) == ("FAILED", "States.Runtime")
    if cause is not None:
        assert got == PREFIX + cause


def test_the_fail_states_paths_say_could_not_be_found_as_recorded():
    status, error, cause = failure({"Type": "Fail", "ErrorPath": "$.ErrorX"})
    assert cause == PREFIX + "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in " \
                             "the input '{\"a\":1}'"


@pytest.mark.parametrize("seconds, cause", [
    (-1, "The SecondsPath parameter references a negative value: $.s == -1"),
    (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"),
    ("10", "The SecondsPath parameter cannot be parsed as a long value: $.s == 10"),
    (None, "The SecondsPath parameter cannot be parsed as a long value: $.s == null"),
])
def test_a_wait_refuses_a_negative_or_non_integer_seconds_path(seconds, cause):
    """AWS: "You must specify an integer value for this field" (state-wait.html); a negative one fails too."""
    assert failure(WAIT, {"s": seconds}, SecondsPath="$.s") == ("FAILED", "States.Runtime", PREFIX + cause)


def test_a_wait_of_zero_or_an_integral_float_seconds_path_waits():
    assert failure(WAIT, {"s": 0}, SecondsPath="$.s")[0] == "SUCCEEDED"
    assert failure(WAIT, {"s": 2.0}, SecondsPath="$.s")[0] == "SUCCEEDED"


def test_a_jsonata_wait_refuses_negative_seconds():
    machine = engine.parse({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True}}})
    result = engine.run(machine, {"s": -3}, fast_time=True)
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert result.cause.endswith("The Seconds field references a negative value: -3")


def test_a_negative_max_concurrency_path_fails():
    status, error, cause = failure(MAP, {"m": -1, "items": [1]}, ItemsPath="$.items", MaxConcurrencyPath="$.m")
    assert (status, error) == ("FAILED", "States.Runtime")
    assert cause == PREFIX + "Expected non-negative integer for MaxConcurrency, got '-1' instead."


@pytest.mark.parametrize("path, key", [
    ("$['a\\\"b']", 'a"b'),        # $['a\"b']: an escaped double quote
    ("$['a\\\\b']", "a\\b"),       # $['a\\b']: an escaped backslash is one backslash
    ("$['it\\'s']", "it's"),       # an escaped single quote inside single quotes
    ('$["say \\"hi\\""]', 'say "hi"'),
    ("$['x\\ny']", "x\ny"),        # Java's escapes, as Jayway's Utils.unescape reads them
    ("$['\\u0041']", "A"),
    ("$['a.b']", "a.b"),
])
def test_bracket_notation_unescapes_member_names_as_jayway_does(path, key):
    compiled = compile_path(path)
    assert compiled.keys == (key,)
    assert compiled.find({key: 1}) == 1
    machine = engine.parse({"StartAt": "S", "States": {"S": {**PASS, "InputPath": path}}})
    assert engine.run(machine, {key: {"found": True}}).output == {"found": True}
