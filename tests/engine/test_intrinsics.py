"""Intrinsic functions: the recorded AWS cases, then one table per function.

References:
- AWS: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
- Behaviour the docs leave open was observed on AWS by others and is cited
  next to the row that pins it (see also the docstrings of engine/intrinsics/).
"""
from __future__ import annotations

import copy
import json
import random
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import errors
from engine.intrinsics import FUNCTIONS, IntrinsicSyntaxError, compile_intrinsic, is_intrinsic, to_json
from engine.jsonpath import compile_path

from .shared import CONFORMANCE, same_json

CASES = CONFORMANCE
CONTEXT = {
    "Execution": {
        "Id": "arn:aws:states:us-east-1:123456789012:execution:intrinsic-machine:run-1",
        "Name": "run-1",
        "StartTime": "2024-01-01T00:00:00.000Z",
    },
    "StateMachine": {
        "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:intrinsic-machine",
        "Name": "intrinsic-machine",
    },
    "State": {"Name": "State_0", "EnteredTime": "2024-01-01T00:00:00.000Z"},
}


def scope(context=None, variables=None, seed=7):
    return SimpleNamespace(context=context if context is not None else CONTEXT,
                           variables=variables, random=random.Random(seed))


def run(text, data=None, **kw):
    return compile_intrinsic(text).evaluate({} if data is None else data, scope(**kw))


def failure(text, data=None, **kw) -> errors.StatesError:
    with pytest.raises(errors.StatesError) as caught:
        run(text, data, **kw)
    return caught.value




# --- the recorded AWS cases ------------------------------------------------


def _intrinsic_cases():
    if not CASES.is_dir():
        return ["<no conformance cases>"]
    return sorted(p.name for p in CASES.iterdir() if p.name.startswith("intrinsic_"))


def _run_pass_state(case: Path):
    """The execution's end, for a machine of one Pass state with Parameters."""
    definition = json.loads((case / "definition.json").read_text())
    data = json.loads((case / "input.json").read_text())
    states = definition["States"]
    state = states[definition["StartAt"]]
    handled = {"Type", "Parameters", "End", "Comment", "InputPath", "ResultPath", "OutputPath"}
    if len(states) != 1 or state["Type"] != "Pass" or "Parameters" not in state or set(state) - handled:
        pytest.skip("not a single Pass state with Parameters: the interpreter's conformance test runs it")
    context = copy.deepcopy(CONTEXT)
    context["Execution"]["Input"] = data
    context["State"]["Name"] = definition["StartAt"]
    the_scope = scope(context=context)
    effective = compile_path(state.get("InputPath", "$")).find(data)
    try:
        result = {}
        for key, value in state["Parameters"].items():
            if not key.endswith(".$"):
                result[key] = value
            elif is_intrinsic(value):
                result[key[:-2]] = compile_intrinsic(value).evaluate(effective, the_scope)
            else:
                result[key[:-2]] = compile_path(value).resolve(effective, context)
    except errors.StatesError as e:
        cause = f"An error occurred while executing the state '{definition['StartAt']}' (entered at the event id #2). {e.cause}"
        return {"status": "FAILED", "error": e.error, "cause": cause}
    output = compile_path(state.get("ResultPath", "$")).place(data, result)
    output = compile_path(state.get("OutputPath", "$")).find(output)
    return {"status": "SUCCEEDED", "output": output}


@pytest.mark.parametrize("case_id", _intrinsic_cases())
def test_it_matches_the_recorded_aws_case(case_id):
    if not CASES.is_dir():
        pytest.skip(f"conformance cases not found at {CASES}")
    case = CASES / case_id
    expected = json.loads((case / "expected.json").read_text())
    actual = _run_pass_state(case)
    assert actual["status"] == expected["status"], actual
    if expected["status"] == "FAILED":
        assert actual["error"] == expected.get("error")
        if not expected.get("volatile"):
            assert actual["cause"] == expected.get("cause")
    elif not expected.get("volatile"):
        assert same_json(actual["output"], expected["output"]), (actual["output"], expected["output"])


# --- one table per function: (expression, input, expected result) -----------

RESULTS = [
    # States.Format: {} filled in order; escapes \' \{ \} \\ (docs: "Reserved characters")
    ("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}, "Hello, my name is Arnav."),
    ("States.Format($.template, $.name)", {"template": "Hello, my name is {}.", "name": "Arnav"},
     "Hello, my name is Arnav."),
    ("States.Format('no placeholders')", {}, "no placeholders"),
    ("States.Format('{}{}', 'a', 'b')", {}, "ab"),
    ("States.Format('  {}  ', 'x')", {}, "  x  "),
    ("States.Format('it\\'s {}', 'mine')", {}, "it's mine"),
    ("States.Format('\\{\\} is {}', 'literal')", {}, "{} is literal"),
    ("States.Format('\\{{}\\}', 'braced')", {}, "{braced}"),
    ("States.Format('back\\\\slash {}', 1)", {}, "back\\slash 1"),
    ("States.Format('{} {} {}', 'x', 2, true)", {}, "x 2 true"),
    # null prints as "null" (AWS, floci StepFunctionsIntrinsicMissingArgumentIntegrationTest)
    ("States.Format('{}', $.nul)", {"nul": None}, "null"),
    # objects and arrays print as Java's toString, not JSON (intrinsic_format_2_08)
    ("States.Format('{}', $.o)", {"o": {"a": "x", "b": [1, "two", None], "c": {"d": True}}},
     "{a=x, b=[1, two, null], c={d=true}}"),
    ("States.Format('{}', $.a)", {"a": []}, "[]"),
    # floats print as Java's Double.toString
    ("States.Format('{}|{}|{}|{}', $.a, $.b, $.c, $.d)", {"a": 1.5, "b": 1e20, "c": 2.0, "d": 0.0001},
     "1.5|1.0E20|2.0|1.0E-4"),
    ("States.Format('{} ✓ {}', 'ünïcödé', '🚀')", {}, "ünïcödé ✓ 🚀"),
    ("States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))", {"svc": "lambda", "obj": {"k": 1}},
     'arn:lambda:{"k":1}'),
    # a raw newline inside a literal is accepted by AWS (aws-toolkit-vscode#3068)
    ("States.Format('line {}\nnext', 1)", {}, "line 1\nnext"),
    # States.StringToJson
    ("States.StringToJson($.s)", {"s": '{"a":[1,2.5,"x"],"b":null}'}, {"a": [1, 2.5, "x"], "b": None}),
    ("States.StringToJson($.s)", {"s": "  [1]  "}, [1]),
    ("States.StringToJson('\"é\"')", {}, "é"),
    ("States.StringToJson('')", {}, None),
    # States.JsonToString: compact JSON (intrinsic_json_to_string_07/08)
    ("States.JsonToString($.o)", {"o": {"a": 1, "b": [True, None, "x"]}}, '{"a":1,"b":[true,null,"x"]}'),
    ("States.JsonToString($.s)", {"s": 'quote " and \\ and \n and \u0001'},
     '"quote \\" and \\\\ and \\n and \\u0001"'),
    ("States.JsonToString($.s)", {"s": "ünï 🚀"}, '"ünï 🚀"'),
    ("States.JsonToString($.f)", {"f": [1.0, 1e20, -0.5]}, "[1.0,1.0E20,-0.5]"),
    ("States.JsonToString($)", {"other": 1}, '{"other":1}'),
    # States.Array
    ("States.Array()", {}, []),
    ("States.Array(42, true, null, 'hello', -1.5)", {}, [42, True, None, "hello", -1.5]),
    ("States.Array(false, '', 0, null)", {}, [False, "", 0, None]),
    ("States.Array( $.a , $.b )", {"a": 1, "b": 2}, [1, 2]),
    ("States.Array(1, States.Array(2, 3))", {}, [1, [2, 3]]),
    ("States.Array($.items[*].id)", {"items": [{"id": 1}, {"id": 2}]}, [[1, 2]]),
    ("States.Array($.o, $.o)", {"o": {"x": 1}}, [{"x": 1}, {"x": 1}]),
    # States.ArrayPartition (docs example; a fraction is truncated: 2.4 -> 2, 2.6 -> 2 on AWS)
    ("States.ArrayPartition($.a, 4)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayPartition($.a, 2.6)", {"a": [1, 2, 3, 4, 5]}, [[1, 2], [3, 4], [5]]),
    ("States.ArrayPartition($.a, 3)", {"a": []}, []),
    ("States.ArrayPartition($.a, 2147483647)", {"a": [1, 2, 3]}, [[1, 2, 3]]),
    # States.ArrayContains compares Java toString texts (observed on AWS)
    ("States.ArrayContains($.a, 2)", {"a": [1, 2, 3]}, True),
    ("States.ArrayContains($.a, 5)", {"a": [1, 2, 3]}, False),
    ("States.ArrayContains($.a, null)", {"a": [1, None]}, True),
    ("States.ArrayContains($.a, $.t)", {"a": [[1, 2], [3]], "t": [1, 2]}, True),
    ("States.ArrayContains($.a, $.t)", {"a": [{"a": 1}], "t": {"a": 1, "extra": None}}, False),
    ("States.ArrayContains($.a, false)", {"a": [0, 1, -1]}, False),
    ("States.ArrayContains($.a, $.t)", {"a": [{"a": 1, "b": 2}], "t": {"b": 2, "a": 1}}, False),
    ("States.ArrayContains($.a, true)", {"a": ["true"]}, True),
    # States.ArrayRange: end inclusive, at most 1000 items (docs)
    ("States.ArrayRange(1, 9, 2)", {}, [1, 3, 5, 7, 9]),
    ("States.ArrayRange(0, 10, 3)", {}, [0, 3, 6, 9]),
    ("States.ArrayRange(5, 1, -2)", {}, [5, 3, 1]),
    ("States.ArrayRange(3, 3, -1)", {}, [3]),
    ("States.ArrayRange(5, 1, 1)", {}, []),
    ("States.ArrayRange(1.6, 1.4, 1)", {}, [1]),
    ("States.ArrayRange(5.4, -0.6, -2.4)", {}, [5, 3, 1]),
    ("States.ArrayRange(1, 1000, 1)", {}, list(range(1, 1001))),
    # States.ArrayGetItem (docs example; 1.2 reads index 1 on AWS)
    ("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}, 6),
    ("States.ArrayGetItem($.a, 1.2)", {"a": [10, 20, 30]}, 20),
    ("States.ArrayGetItem($.a, 0)", {"a": [None]}, None),
    ("States.ArrayGetItem(States.Array('x', 'y', 'z'), 1)", {}, "y"),
    # States.ArrayLength
    ("States.ArrayLength($.a)", {"a": []}, 0),
    ("States.ArrayLength($.a)", {"a": [[1], [2], [3]]}, 3),
    ("States.ArrayLength($.items[*].nope)", {"items": [1, 2]}, 0),
    # States.ArrayUnique: first occurrence kept; 1, 1.0 and true stay apart
    ("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
    ("States.ArrayUnique($.a)", {"a": [None, None, True, True, 1, 1.0, "1", [], [], {"a": 1, "b": 2},
                                       {"b": 2, "a": 1}, {"a": 1}]},
     [None, True, 1, 1.0, "1", [], {"a": 1, "b": 2}, {"a": 1}]),
    # States.Base64Encode / Base64Decode (docs examples; UTF-8)
    ("States.Base64Encode($.s)", {"s": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Encode('')", {}, ""),
    ("States.Base64Encode('🚀')", {}, "8J+agA=="),
    ("States.Base64Encode($.s)", {"s": "a" * 10_000}, None),  # None: only checked to succeed
    ("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
    ("States.Base64Decode('44GT44KT44Gr44Gh44Gv')", {}, "こんにちは"),
    ("States.Base64Decode('YWJjAGRlZg==')", {}, "abc\u0000def"),
    # AWS's decoder is lenient (observed): skips junk, stops at '=', decodes a short tail
    ("States.Base64Decode(' YWJjZA== ')", {}, "abcd"),
    ("States.Base64Decode('YWJjZA')", {}, "abcd"),
    ("States.Base64Decode(States.Base64Encode($.s))", {"s": "round trip ✓"}, "round trip ✓"),
    # States.Hash (docs example and conformance digests of "input data")
    ("States.Hash($.d, 'SHA-256')", {"d": "input data"},
     "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    ("States.Hash('hello', 'MD5')", {}, "5d41402abc4b2a76b9719d911017c592"),
    ("States.Hash('', 'SHA-256')", {}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("States.Hash('🚀', 'SHA-256')", {}, "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"),
    ("States.Hash(123, 'MD5')", {}, "202cb962ac59075b964b07152d234b70"),  # AWS hashes the text "123"
    # States.JsonMerge: shallow, the second wins (docs example)
    ("States.JsonMerge($.a, $.b, false)", {"a": {"a": {"a1": 1}, "b": 2}, "b": {"a": {"a3": 1}, "c": 3}},
     {"a": {"a3": 1}, "b": 2, "c": 3}),
    ("States.JsonMerge($.a, $.a, false)", {"a": {}}, {}),
    # States.MathAdd: Java Math.round on each operand, int32 result (intrinsic_math_add_*)
    ("States.MathAdd($.v, $.step)", {"v": 111, "step": -1}, 110),
    ("States.MathAdd(1.5, 0)", {}, 2),
    ("States.MathAdd(-1.5, 0)", {}, -1),
    ("States.MathAdd(-2.5, 0)", {}, -2),
    ("States.MathAdd(0.49999999999999994, 0)", {}, 0),
    ("States.MathAdd(2.0, 1)", {}, 3),
    ("States.MathAdd(2147483646, 1)", {}, 2147483647),
    ("States.MathAdd(-2147483647, -1)", {}, -2147483648),
    ("States.MathAdd(States.MathAdd($.x, 1), 2)", {"x": 5}, 8),
    ("States.MathAdd($$.Execution.Input.offset, $.delta)", {"offset": 10, "delta": 5}, 15),
    ("States.MathAdd($counter, 1)", {}, 42),  # variables: see VARIABLES below
    # States.StringSplit: StringTokenizer, every delimiter character splits (docs example)
    ("States.StringSplit($.s, $.d)", {"s": "This.is+a,test=string", "d": ".+,="},
     ["This", "is", "a", "test", "string"]),
    ("States.StringSplit('1,2,3,4,5', ',')", {}, ["1", "2", "3", "4", "5"]),
    ("States.StringSplit($.s, ',')", {"s": ",,a,,b,,"}, ["a", "b"]),
    ("States.StringSplit($.s, ',')", {"s": ",,,"}, []),
    ("States.StringSplit($.s, $.d)", {"s": "a😀b😀c", "d": "😀"}, ["a", "b", "c"]),
    ("States.StringSplit($.s, '.')", {"s": "a[b]c.d"}, ["a[b]c", "d"]),
    ("States.StringSplit($.s, '][')", {"s": "a[b]c"}, ["a", "b", "c"]),
    # docs: "nest up to 10 intrinsic functions within a field" (the docs' example has three
    # {} for two arguments, which fails; two placeholders here)
    ("States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
     "States.StringSplit($.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
     "States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 1))",
     {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/x/1.2.3"}, "1.2"),
]

VARIABLES = {"counter": 41}


@pytest.mark.parametrize("text,data,expected", RESULTS, ids=[r[0][:60] for r in RESULTS])
def test_it_returns_what_aws_returns(text, data, expected):
    before = copy.deepcopy(data)
    data_for_context = dict(CONTEXT, Execution=dict(CONTEXT["Execution"], Input=data))
    result = run(text, data, context=data_for_context, variables=VARIABLES)
    if expected is not None:
        assert same_json(result, expected), result
    assert data == before, "evaluating an intrinsic must never change its input"


# --- failures: (expression, input, reason after "had the following error: ") --

FAILURES = [
    # wrong argument types
    ("States.Format($.t, 1)", {"t": 123}, "Invalid arguments in States.Format"),
    ("States.StringToJson($.s)", {"s": 1}, "Invalid arguments in States.StringToJson"),
    ("States.StringToJson($.s)", {"s": "{not json"}, "Invalid arguments in States.StringToJson"),
    ("States.StringToJson('NaN')", {}, "Invalid arguments in States.StringToJson"),
    ("States.ArrayPartition('not-array', 2)", {}, "Invalid arguments in States.ArrayPartition"),
    ("States.ArrayContains('not-array', 'x')", {}, "Invalid arguments in States.ArrayContains"),
    ("States.ArrayGetItem('not-array', 0)", {}, "Invalid arguments in States.ArrayGetItem"),
    ("States.ArrayGetItem($.a, '1')", {"a": [1]}, "Invalid arguments in States.ArrayGetItem"),
    ("States.ArrayLength($.o)", {"o": {"k": 1}}, "Invalid arguments in States.ArrayLength"),
    ("States.ArrayUnique('x')", {}, "Invalid arguments in States.ArrayUnique"),
    ("States.Base64Encode(123)", {}, "Invalid arguments in States.Base64Encode"),
    ("States.Base64Encode($.a)", {"a": ["x"]}, "Invalid arguments in States.Base64Encode"),
    ("States.Base64Decode($.o)", {"o": {}}, "Invalid arguments in States.Base64Decode"),
    ("States.Hash('hello', 123)", {}, "Invalid arguments in States.Hash"),
    ("States.JsonMerge($.a, 'x', false)", {"a": {}}, "Invalid arguments in States.JsonMerge"),
    ("States.StringSplit($.n, ',')", {"n": 7}, "Invalid arguments in States.StringSplit"),
    # booleans are not numbers
    ("States.MathAdd(true, 1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd(false, -1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd(null, 1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd('1', 2)", {}, "Invalid arguments in States.MathAdd"),
    ("States.ArrayRange(true, 5, 1)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayPartition($.a, true)", {"a": [1]}, "Invalid arguments in States.ArrayPartition"),
    # limits and ranges
    ("States.ArrayPartition($.a, 0)", {"a": [1, 2, 3]}, "Invalid arguments in States.ArrayPartition"),
    ("States.ArrayPartition($.a, 0.49)", {"a": [1, 2, 3]}, "Invalid arguments in States.ArrayPartition"),
    ("States.ArrayPartition($.a, -1)", {"a": [1, 2, 3]}, "Invalid arguments in States.ArrayPartition"),
    ("States.ArrayRange(1, 10, 0)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayRange(1, 10, 0.49)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayRange(1, 1001, 1)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayRange(1001, 1, -1)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayRange(0, 2147483647, 1)", {}, "Invalid arguments in States.ArrayRange"),
    ("States.ArrayGetItem($.a, 3)", {"a": [10, 20, 30]}, "Invalid arguments in States.ArrayGetItem"),
    ("States.ArrayGetItem($.a, -1)", {"a": [10, 20, 30]}, "Invalid arguments in States.ArrayGetItem"),
    ("States.Base64Encode($.s)", {"s": "a" * 10_001}, "Invalid arguments in States.Base64Encode"),
    ("States.Base64Decode($.s)", {"s": "A" * 10_001}, "Invalid arguments in States.Base64Decode"),
    ("States.Hash($.s, 'SHA-256')", {"s": "a" * 10_001}, "Invalid arguments in States.Hash"),
    ("States.Hash('data', 'sha-256')", {}, "Invalid arguments in States.Hash"),
    ("States.Hash('data', 'SHA256')", {}, "Invalid arguments in States.Hash"),
    ("States.Hash('data', 'MD-5')", {}, "Invalid arguments in States.Hash"),
    ("States.JsonMerge($.a, $.b, true)", {"a": {}, "b": {}}, "Invalid arguments in States.JsonMerge"),
    ("States.JsonMerge($.a, $.b, 'false')", {"a": {}, "b": {}}, "Invalid arguments in States.JsonMerge"),
    ("States.MathAdd(2147483647, 1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd(-2147483648, -1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd(3000000000, -1000000000)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathAdd(1e309, 1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.MathRandom(1, 1)", {}, "Invalid arguments in States.MathRandom"),
    ("States.MathRandom(10, 5)", {}, "Invalid arguments in States.MathRandom"),
    ("States.MathRandom(1.4, 1.6)", {}, "Invalid arguments in States.MathRandom"),
    ("States.MathRandom(1, 10, 'seed')", {}, "Invalid arguments in States.MathRandom"),
    ("States.MathRandom(1, 10, null)", {}, "Invalid arguments in States.MathRandom"),
    # States.Format: placeholders and arguments must pair up; lone braces fail at run time
    ("States.Format('{} {}', 'x')", {}, "Invalid arguments in States.Format"),
    ("States.Format('{}', 'x', 'y')", {}, "Invalid arguments in States.Format"),
    ("States.Format('Hello {', 'x')", {}, "Invalid arguments in States.Format"),
    ("States.Format('Hello {{}}', 'x')", {}, "Invalid arguments in States.Format"),
    ("States.Format('}')", {}, "Invalid arguments in States.Format"),
    ("States.Format($.t)", {"t": "Hello {}"}, "Invalid arguments in States.Format"),
    # a wrong argument count is a run-time failure on AWS, not a definition error
    ("States.MathAdd(1)", {}, "Invalid arguments in States.MathAdd"),
    ("States.Hash('hello', 'SHA-256', 'extra')", {}, "Invalid arguments in States.Hash"),
    ("States.Base64Encode()", {}, "Invalid arguments in States.Base64Encode"),
    ("States.UUID(1)", {}, "Invalid arguments in States.UUID"),
    ("States.Format()", {}, "Invalid arguments in States.Format"),
    ("States.MathRandom(1, 10, 5, 99)", {}, "Invalid arguments in States.MathRandom"),
    # a JSONPath argument that matches nothing (the cause AWS writes, recorded by floci)
    ("States.Format('{}', $.nope)", {"other": 1},
     "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'"),
    ("States.Format('{}', $.items[5])", {"items": [1, 2]},
     "The JsonPath argument for the field '$.items[5]' could not be found in the input '{\"items\":[1,2]}'"),
    ("States.Format('{}', $.other[0])", {"other": 1},
     "The JsonPath argument for the field '$.other[0]' could not be found in the input '{\"other\":1}'"),
    ("States.Format('{}', $$.Nope.Deep)", {"other": 1},
     "The JsonPath argument for the field '$.Nope.Deep' could not be found in the input '{\"other\":1}'"),
    ("States.ArrayLength($nope)", {"other": 1},
     "The JsonPath argument for the field '$nope' could not be found in the input '{\"other\":1}'"),
    ("States.Hash($.missing, 'SHA-256')", {},
     "The JsonPath argument for the field '$.missing' could not be found in the input '{}'"),
]


@pytest.mark.parametrize("text,data,reason", FAILURES, ids=[f[0][:60] for f in FAILURES])
def test_it_fails_as_aws_does(text, data, reason):
    # AWS: States.Runtime (the TS suite and boto3 tests run against AWS assert it)
    error = failure(text, data, variables=VARIABLES)
    assert isinstance(error, errors.Runtime)
    assert error.error == "States.Runtime"
    assert error.cause == f"The function '{text}' had the following error: {reason}"


def test_the_cause_names_the_whole_expression_not_the_inner_call():
    # floci StepFunctionsIntrinsicMissingArgumentIntegrationTest, recorded on AWS us-east-1
    text = "States.Format('{}', States.Format('{}', $.nope))"
    assert failure(text, {"other": 1}).cause == (
        "The function 'States.Format('{}', States.Format('{}', $.nope))' had the following error: "
        "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'")


def test_the_cause_echoes_the_expression_verbatim_spacing_included():
    assert failure("States.Format('{}',$.nope)", {"other": 1}).cause.startswith(
        "The function 'States.Format('{}',$.nope)' had the following error: ")


def test_a_failure_is_not_caught_by_states_all():
    # concepts-error-handling: States.ALL does not match States.Runtime
    assert failure("States.MathAdd('a', 1)").error in errors.NOT_MATCHED_BY_ALL


# --- syntax: refused by compile_intrinsic, as CreateStateMachine refuses it --

SYNTAX_ERRORS = [
    "States.format('x')",  # case-sensitive (serverless-step-functions#399)
    "States.Nope(1)",
    "States.",
    "States.Array",
    "States.Array(",
    "States.Array(1",
    "States.Array(1,)",
    "States.Array(,1)",
    "States.Array(1 2)",
    "States.Array($.a) trailing",
    "States.Array([1,2])",
    "States.Array(1.)",
    "States.Array(.5)",
    "States.Array(01)",
    "States.Array(truex)",
    "States.Array(\"double\")",
    "States.Array('unterminated)",
    "States.Array('bad \\n escape')",  # only \' \{ \} \\ (AWS refuses '\n' at validation)
    "States.Array('trailing backslash\\')",
    "States.Array($.a[)",
    "States.Array($..)",
    "States.Array(Array(1))",
    "States.ArrayLength(States.Nope())",
    "States.Array(" * 70 + ")" * 70,
]


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_it_refuses_bad_syntax_saying_where(text):
    with pytest.raises(IntrinsicSyntaxError) as caught:
        compile_intrinsic(text)
    assert "position" in str(caught.value)


def test_it_names_the_unknown_function():
    with pytest.raises(IntrinsicSyntaxError, match="Unknown intrinsic function 'States.Nope' at position 13"):
        compile_intrinsic("States.Array(States.Nope())")


def test_a_wrong_argument_count_compiles_but_is_listed_as_a_problem():
    intrinsic = compile_intrinsic("States.ArrayRange(1, 5)")
    assert intrinsic.problems == ("States.ArrayRange takes 3 argument(s), not 2 (at position 0)",)
    assert compile_intrinsic("States.ArrayRange(1, 5, 1)").problems == ()


def test_it_refuses_a_value_that_is_not_a_string():
    with pytest.raises(IntrinsicSyntaxError):
        compile_intrinsic(["States.Array()"])


@pytest.mark.parametrize("text,expected", [
    ("States.Format('x')", True),
    ("States.Array()", True),
    ("$.States", False),
    (" States.Array()", False),
    ("states.Array()", False),
    ("States", False),
    (42, False),
    (None, False),
])
def test_is_intrinsic_goes_by_the_exact_prefix(text, expected):
    assert is_intrinsic(text) is expected


def test_it_accepts_whitespace_between_arguments_and_around_parentheses():
    assert run("States.Array (\t1 ,\n2 , States.Array( ) ) ") == [1, 2, []]


def test_it_keeps_commas_and_parentheses_inside_strings_and_brackets():
    data = {"a,b": {"c)": 5}, "items": [{"k": "x,y"}, {"k": "z"}]}
    assert run("States.Array($['a,b']['c)'], 'x, (y)')", data) == [5, "x, (y)"]
    assert run("States.Array($.items[?(@.k == 'x,y')].k)", data) == [["x,y"]]


def test_number_literals_keep_ints_and_floats_apart():
    assert run("States.Array(0, -0, 7, -1.5, 1e2, 2E-1)") == [0, 0, 7, -1.5, 100.0, 0.2]
    assert [type(v) for v in run("States.Array(1, 1.0, 1e0)")] == [int, float, float]


def test_it_is_cached():
    assert compile_intrinsic("States.Array(1)") is compile_intrinsic("States.Array(1)")


def test_the_table_has_the_18_documented_functions():
    assert sorted(FUNCTIONS) == sorted([
        "States.Format", "States.StringToJson", "States.JsonToString", "States.Array",
        "States.ArrayPartition", "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem",
        "States.ArrayLength", "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode",
        "States.Hash", "States.JsonMerge", "States.MathRandom", "States.MathAdd", "States.StringSplit",
        "States.UUID",
    ])


# --- randomness comes from the scope, so a seeded run repeats -----------------


def test_uuid_is_a_version_4_uuid_drawn_from_the_scope():
    value = run("States.UUID()", seed=3)
    assert value == str(uuid.UUID(int=random.Random(3).getrandbits(128), version=4))
    assert uuid.UUID(value).version == 4
    assert run("States.UUID()", seed=3) == value
    assert run("States.UUID()", seed=4) != value


def test_math_random_is_an_int_from_start_inclusive_to_end_exclusive():
    the_scope = scope(seed=11)
    intrinsic = compile_intrinsic("States.MathRandom($.s, $.e)")
    values = {intrinsic.evaluate({"s": 1, "e": 4}, the_scope) for _ in range(200)}
    assert values == {1, 2, 3}
    assert {type(v) for v in values} == {int}


def test_math_random_truncates_its_bounds():
    # AWS returns 1 for States.MathRandom(1.6, 5.4) (truncation, not rounding)
    values = {run("States.MathRandom(1.6, 5.4)", seed=s) for s in range(100)}
    assert values == {1, 2, 3, 4}


def test_math_random_with_a_seed_repeats_whatever_the_scope():
    # the docs' seeded form: the same seed gives the same number
    first = run("States.MathRandom(1, 100, 42)", seed=1)
    assert all(run("States.MathRandom(1, 100, 42)", seed=s) == first for s in range(5))
    assert 1 <= first < 100
    assert 2147483640 <= run("States.MathRandom(2147483640, 2147483647, 1)") < 2147483647


# --- JSON text ----------------------------------------------------------------


@pytest.mark.parametrize("value,text", [
    ({"a": 1}, '{"a":1}'),
    ([1, 2, "x"], '[1,2,"x"]'),
    (1.0, "1.0"),
    (0.001, "0.001"),
    (1e7, "1.0E7"),
    (-0.0, "-0.0"),
    ("\u001f/\u2028", '"\\u001F/\u2028"'),
])
def test_to_json_writes_what_jackson_writes(value, text):
    assert to_json(value) == text


# --- property: nothing but the documented exceptions ever escapes -------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)


@st.composite
def expressions(draw, depth=0):
    """Grammatical calls with arguments of every kind, often wrong for the function."""
    name = draw(st.sampled_from(sorted(FUNCTIONS)))
    args = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 6 if depth < 2 else 5))
        if kind == 0:
            text = draw(st.text(max_size=8)).replace("\\", "\\\\").replace("'", "\\'")
            args.append(f"'{text}'")
        elif kind == 1:
            args.append(repr(draw(st.integers(-3000, 3000))))
        elif kind == 2:
            args.append(repr(draw(st.floats(-1e4, 1e4, allow_nan=False))))
        elif kind == 3:
            args.append(draw(st.sampled_from(["true", "false", "null"])))
        elif kind == 4:
            args.append(draw(st.sampled_from(["$", "$.a", "$.b", "$.a[0]", "$.a[*]", "$..b", "$$.Execution.Input",
                                              "$$.Nope", "$var", "$var.a", "$.a.b.c"])))
        elif kind == 5:
            args.append(draw(st.sampled_from(["'{}'", "'{} {}'", "'SHA-256'", "'MD5'", "','", "'{'"])))
        else:
            args.append(draw(expressions(depth=depth + 1)))
    return f"{name}({', '.join(args)})"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_any_text_compiles_or_is_a_syntax_error(text):
    try:
        compile_intrinsic("States." + text)
        compile_intrinsic(text)
    except IntrinsicSyntaxError:
        pass


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), json_values, json_values)
def test_any_call_on_any_input_returns_json_or_a_states_error(text, a, b):
    data = {"a": a, "b": b}
    before = copy.deepcopy(data)
    try:
        intrinsic = compile_intrinsic(text)
    except IntrinsicSyntaxError:
        return
    context = {"Execution": {"Input": data}}
    try:
        result = intrinsic.evaluate(data, scope(context=context, variables={"var": a}))
    except errors.StatesError as e:
        assert e.cause.startswith(f"The function '{text}' had the following error: ")
    else:
        json.dumps(result, allow_nan=True)  # a JSON value: no Python objects leak out
    assert data == before
