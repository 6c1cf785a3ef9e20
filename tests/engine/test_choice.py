"""Choice rules (JSONPath mode): the recorded AWS cases, then one table per operator.

References:
- ASL spec, Choice state: https://states-language.net/spec.html#choice-state
- AWS: https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
"""
from __future__ import annotations

import json
import math
import timeit
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import errors
from engine.choice import COMPARISONS, TYPE_TESTS, compile_rule

from .shared import CONFORMANCE, same_json

CASES = CONFORMANCE
SCOPE = SimpleNamespace(context={}, variables=None)


def check(rule: dict, data, scope=SCOPE) -> bool:
    return compile_rule(rule)(data, scope)




# --- the recorded AWS cases ------------------------------------------------

def _choice_cases():
    if not CASES.is_dir():
        return []
    return sorted(p.name for p in CASES.iterdir() if p.name.startswith("choice_"))


def _run_choice_case(case: Path):
    """What the execution ends with, judged from the first Choice state alone.

    Returns ("SUCCEEDED", output) or ("FAILED", error, cause); skips cases of
    another shape (the interpreter's end-to-end test runs those).
    """
    definition = json.loads((case / "definition.json").read_text())
    data = json.loads((case / "input.json").read_text())
    states = definition["States"]
    start = states[definition["StartAt"]]
    if start["Type"] != "Choice":
        pytest.skip(f"starts with a {start['Type']} state, not a Choice")
    if "JSONata" in (definition.get("QueryLanguage"), start.get("QueryLanguage")):
        pytest.skip("a JSONata Choice (Condition), not a JSONPath rule")
    if set(start) - {"Type", "Choices", "Default", "Comment"}:
        pytest.skip(f"Choice state uses {sorted(set(start) - {'Type', 'Choices', 'Default', 'Comment'})}")

    scope = SimpleNamespace(context={}, variables=None)
    try:
        target = next((r["Next"] for r in start["Choices"] if compile_rule(r)(data, scope)), start.get("Default"))
    except errors.StatesError as e:
        return ("FAILED", e.error, e.cause)
    if target is None:
        return ("FAILED", "States.NoChoiceMatched", None)
    state = states[target]
    if state["Type"] == "Fail" and set(state) <= {"Type", "Error", "Cause", "Comment"}:
        return ("FAILED", state.get("Error"), state.get("Cause"))
    if state["Type"] in ("Pass", "Succeed") and set(state) <= {"Type", "Result", "End", "Comment"}:
        return ("SUCCEEDED", state.get("Result", data))
    pytest.skip(f"the chosen state {target!r} needs the interpreter")


@pytest.mark.parametrize("case_id", _choice_cases())
def test_it_chooses_what_aws_chose(case_id):
    expected = json.loads((CASES / case_id / "expected.json").read_text())
    outcome = _run_choice_case(CASES / case_id)
    if expected["status"] == "SUCCEEDED":
        assert outcome[0] == "SUCCEEDED", outcome
        assert same_json(outcome[1], expected["output"]), (outcome[1], expected["output"])
    else:
        assert outcome[0] == "FAILED", outcome
        assert outcome[1] == expected.get("error")
        # The interpreter prefixes "An error occurred while executing the state ..."
        cause = expected.get("cause")
        assert (outcome[2] is None and cause is None) or (cause or "").endswith(outcome[2] or "\0")


def test_it_finds_the_recorded_cases():
    if not CASES.is_dir():
        pytest.skip(f"no conformance cases at {CASES}")
    assert len(_choice_cases()) >= 300


# --- one table per operator ------------------------------------------------

ASTRAL = "\U0001F600"     # 😀: UTF-16 D83D DE00
HIGH_BMP = "\uFF61"       # ｡: UTF-16 FF61, above the surrogates

# (operator, literal operand, variable value, expected)
STRING_CASES = [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringEquals", "", "", True),
    ("StringEquals", "", " ", False),
    ("StringEquals", "é", "e\u0301", False),            # no Unicode normalisation
    ("StringEquals", ASTRAL, ASTRAL, True),
    ("StringEquals", "1", 1, False),                     # a number is not a string
    ("StringEquals", "true", True, False),
    ("StringEquals", "null", None, False),
    ("StringEquals", "x", ["x"], False),
    ("StringEquals", "x", {"x": "x"}, False),
    ("StringLessThan", "b", "a", True),
    ("StringLessThan", "a", "a", False),
    ("StringLessThan", "AB", "A", True),                 # a prefix sorts first
    ("StringLessThan", "a", "B", True),                  # by code unit, no collation: 'B' < 'a'
    ("StringLessThan", "", "", False),
    ("StringLessThan", "a", 0, False),
    # Java String.compareTo orders UTF-16 code units: a surrogate (D83D) sorts
    # before U+FF61, though the code point U+1F600 is larger.
    ("StringLessThan", HIGH_BMP, ASTRAL, True),
    ("StringGreaterThan", ASTRAL, HIGH_BMP, True),
    ("StringLessThan", "é" + HIGH_BMP, "é" + ASTRAL, True),
    ("StringGreaterThan", "é" + ASTRAL, "é" + HIGH_BMP, True),
    ("StringLessThan", "a", ASTRAL, False),              # ASCII still sorts first
    ("StringGreaterThan", "a", "b", True),
    ("StringGreaterThan", "", "", False),
    ("StringGreaterThan", "A", "A\t", True),
    ("StringLessThanEquals", "a", "a", True),
    ("StringLessThanEquals", "a", "b", False),
    ("StringLessThanEquals", ASTRAL, HIGH_BMP, False),
    ("StringGreaterThanEquals", "", "", True),
    ("StringGreaterThanEquals", "b", "a", False),
    ("StringGreaterThanEquals", HIGH_BMP, ASTRAL, False),
    ("StringGreaterThanEquals", "a", None, False),
]

# StringMatches: "*" matches any run of characters; "\*" is a literal star and
# "\\" a literal backslash (the Python literals below double each backslash).
MATCHES_CASES = [
    ("foo*.log", "foo23.log", True),
    ("*.log", "zebra.log", True),
    ("foo*.*", "foobar.zebra", True),
    ("foo*.log", "foo.log", True),
    ("foo*.log", "foo.logx", False),
    ("*", "", True),
    ("*", "anything at all", True),
    ("", "", True),
    ("", "x", False),
    ("**", "ab", True),
    ("a*b*c", "abc", True),
    ("a*b*c", "aXbYc", True),
    ("a*b*c", "acb", False),
    ("a*a", "a", False),                                 # head and tail do not overlap
    ("a*a", "aa", True),
    ("abc", "abc", True),
    ("abc", "abcd", False),
    ("?", "x", False),                                   # only '*' is special
    ("a.c", "abc", False),
    ("[ab]", "a", False),
    ("[ab]", "[ab]", True),
    ("log\\*", "log*", True),
    ("log\\*", "logs", False),
    ("log\\*", "log", False),
    ("*\\**", "a*b", True),
    ("*\\**", "ab", False),
    ("back\\\\slash", "back\\slash", True),
    ("back\\\\*", "back\\anything", True),
    ("*" + ASTRAL + "*", "x" + ASTRAL + "y", True),
    ("a*", 1, False),
    ("*", None, False),
]

NUMERIC_CASES = [
    ("NumericEquals", 1, 1, True),
    ("NumericEquals", 1, 1.0, True),                     # 1 == 1.0 (choice_numeric_equals_path_16)
    ("NumericEquals", 1.0, 1, True),
    ("NumericEquals", 0, -0.0, True),                    # negative zero is zero
    ("NumericEquals", -0.0, 0, True),
    ("NumericEquals", 2.22, 2.22, True),
    ("NumericEquals", 1, 1.1, False),
    ("NumericEquals", 1, True, False),                   # bool is not a number
    ("NumericEquals", 0, False, False),
    ("NumericEquals", 1, "1", False),                    # nor is a numeric string
    ("NumericEquals", 0, None, False),
    ("NumericEquals", 0, [], False),
    ("NumericEquals", 0, {}, False),
    ("NumericEquals", 10**30, 10**30, True),             # big ints compare exactly
    ("NumericEquals", 10**30, 10**30 + 1, False),
    ("NumericEquals", 1e300, 1e300, True),
    ("NumericLessThan", 0, -1, True),
    ("NumericLessThan", 0, -0.0, False),
    ("NumericLessThan", 1, 0.999999, True),
    ("NumericLessThan", 10**30, 10**30 - 1, True),
    ("NumericLessThan", 1, "0", False),
    ("NumericGreaterThan", 0, 1, True),
    ("NumericGreaterThan", 0, 0.0, False),
    ("NumericGreaterThan", -1.5, -1, True),
    ("NumericGreaterThan", 0, True, False),
    ("NumericLessThanEquals", 1, 1.0, True),
    ("NumericLessThanEquals", 0, 1, False),
    ("NumericGreaterThanEquals", 20, 20, True),
    ("NumericGreaterThanEquals", 20, 19.99, False),
    ("NumericGreaterThanEquals", 0, None, False),
]

BOOLEAN_CASES = [
    ("BooleanEquals", True, True, True),
    ("BooleanEquals", False, False, True),
    ("BooleanEquals", True, False, False),
    ("BooleanEquals", True, 1, False),                   # 1 is not true
    ("BooleanEquals", False, 0, False),
    ("BooleanEquals", False, None, False),
    ("BooleanEquals", True, "true", False),
    ("BooleanEquals", False, "", False),
    ("BooleanEquals", False, [], False),
]

TIMESTAMP_CASES = [
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T20:00:55+01:00", True),   # one instant
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55.000Z", True),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55", False),        # no offset
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09 19:00:55Z", False),       # no 'T'
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09", False),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "not a time", False),
    ("TimestampEquals", "2012-10-09T19:00:55Z", 1349809255, False),
    ("TimestampEquals", "2012-10-09T19:00:55Z", None, False),
    ("TimestampEquals", "2016-03-05T21:29:29.243167252Z", "2016-03-05T21:29:29.243167252Z", True),
    ("TimestampEquals", "2016-03-05T21:29:29.243167252Z", "2016-03-05T21:29:29.243167253Z", False),
    ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),
    ("TimestampLessThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", False),
    ("TimestampLessThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55.999999999+00:01", True),
    ("TimestampLessThan", "2016-03-05T21:29:29.243167253Z", "2016-03-05T21:29:29.243167252Z", True),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-13-09T19:00:56Z", False),   # month 13
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T18:00:55-01:00", True),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T18:00:55+01:00", False),
]


@pytest.mark.parametrize("op, literal, value, expected", STRING_CASES + NUMERIC_CASES + BOOLEAN_CASES + TIMESTAMP_CASES)
def test_it_compares_with_a_literal(op, literal, value, expected):
    assert check({"Variable": "$.v", op: literal, "Next": "X"}, {"v": value}) is expected


@pytest.mark.parametrize("op, literal, value, expected", STRING_CASES + NUMERIC_CASES + BOOLEAN_CASES + TIMESTAMP_CASES)
def test_its_path_twin_compares_the_same_way(op, literal, value, expected):
    rule = {"Variable": "$.v", op + "Path": "$.w", "Next": "X"}
    assert check(rule, {"v": value, "w": literal}) is expected


@pytest.mark.parametrize("pattern, value, expected", MATCHES_CASES)
def test_it_matches_a_wildcard_pattern(pattern, value, expected):
    assert check({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


@pytest.mark.parametrize("op, value, good, bad", [
    ("StringEqualsPath", "x", "x", 1),
    ("StringLessThanPath", "x", "y", None),
    ("NumericEqualsPath", 1, 1, "1"),
    ("NumericLessThanPath", 1, 2, True),
    ("BooleanEqualsPath", True, True, 1),
    ("TimestampEqualsPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "2012-10-09"),
])
def test_a_path_operand_of_the_wrong_type_is_false_not_an_error(op, value, good, bad):
    rule = {"Variable": "$.v", op: "$.w"}
    assert check(rule, {"v": value, "w": good}) is True
    assert check(rule, {"v": value, "w": bad}) is False


TYPE_CASES = [
    # value, IsNull, IsNumeric, IsString, IsBoolean, IsTimestamp
    (None, True, False, False, False, False),
    (0, False, True, False, False, False),
    (-0.0, False, True, False, False, False),
    (1.5, False, True, False, False, False),
    (10**40, False, True, False, False, False),
    ("", False, False, True, False, False),
    ("1", False, False, True, False, False),
    ("null", False, False, True, False, False),
    ("2012-10-09T19:00:55Z", False, False, True, False, True),
    ("2012-10-09T19:00:55+01:00", False, False, True, False, True),
    ("2012-10-09T19:00:55", False, False, True, False, False),
    ("2023-02-24", False, False, True, False, False),
    (True, False, False, False, True, False),
    (False, False, False, False, True, False),
    ([], False, False, False, False, False),
    ([None], False, False, False, False, False),
    ({}, False, False, False, False, False),
]


@pytest.mark.parametrize("value, is_null, is_numeric, is_string, is_boolean, is_timestamp", TYPE_CASES)
def test_it_tests_types(value, is_null, is_numeric, is_string, is_boolean, is_timestamp):
    expected = {"IsNull": is_null, "IsNumeric": is_numeric, "IsString": is_string,
                "IsBoolean": is_boolean, "IsTimestamp": is_timestamp}
    assert set(expected) == set(TYPE_TESTS)
    for op, answer in expected.items():
        assert check({"Variable": "$.v", op: True}, {"v": value}) is answer, op
        assert check({"Variable": "$.v", op: False}, {"v": value}) is (not answer), op
    assert check({"Variable": "$.v", "IsPresent": True}, {"v": value}) is True
    assert check({"Variable": "$.v", "IsPresent": False}, {"v": value}) is False


def test_is_present_is_false_for_a_missing_path():
    for path in ("$.missing", "$.v.deeper", "$.list[5]", "$$.Nothing", "$undefinedVariable"):
        assert check({"Variable": path, "IsPresent": True}, {"v": 1, "list": []}) is False, path
        assert check({"Variable": path, "IsPresent": False}, {"v": 1, "list": []}) is True, path


def test_is_present_sees_a_null_as_present():
    assert check({"Variable": "$.v", "IsPresent": True}, {"v": None}) is True


# "Invalid path '$.x': The choice state's condition path references an invalid value."
# is what AWS fails a Choice state with when a path it compares matches nothing
# (the interpreter prefixes "An error occurred while executing the state ...").
MISSING_CAUSE = "Invalid path '{}': The choice state's condition path references an invalid value."


@pytest.mark.parametrize("op, operand", [
    ("StringEquals", "x"), ("StringMatches", "*"), ("NumericEquals", 1), ("NumericLessThan", 1),
    ("BooleanEquals", True), ("TimestampEquals", "2012-10-09T19:00:55Z"),
    ("IsNull", True), ("IsNull", False), ("IsNumeric", True), ("IsString", False),
    ("IsBoolean", True), ("IsTimestamp", False), ("StringEqualsPath", "$.w"),
])
def test_a_missing_variable_fails_with_states_runtime(op, operand):
    with pytest.raises(errors.Runtime) as raised:
        check({"Variable": "$.missing", op: operand}, {"w": "x"})
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == MISSING_CAUSE.format("$.missing")


def test_a_missing_path_operand_fails_with_states_runtime():
    with pytest.raises(errors.Runtime) as raised:
        check({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": 8})
    assert raised.value.cause == MISSING_CAUSE.format("$.right")


def test_the_missing_variable_is_reported_before_the_missing_operand():
    with pytest.raises(errors.Runtime) as raised:
        check({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {})
    assert raised.value.cause == MISSING_CAUSE.format("$.left")


def test_a_missing_variable_fails_even_inside_not():
    # AWS docs example: "If the state input doesn't contain the $.type field, the execution fails"
    with pytest.raises(errors.Runtime):
        check({"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"}, {"value": 1})


def test_a_missing_variable_in_a_non_object_input_fails():
    for data in ("text", 3, None, [1, 2]):
        with pytest.raises(errors.Runtime):
            check({"Variable": "$.v", "NumericEquals": 1}, data)


def test_and_or_stop_at_the_deciding_rule():
    missing = {"Variable": "$.missing", "NumericEquals": 1}
    yes = {"Variable": "$.v", "NumericEquals": 1}
    no = {"Variable": "$.v", "NumericEquals": 2}
    assert check({"And": [no, missing]}, {"v": 1}) is False
    assert check({"Or": [yes, missing]}, {"v": 1}) is True
    with pytest.raises(errors.Runtime):
        check({"And": [yes, missing]}, {"v": 1})
    with pytest.raises(errors.Runtime):
        check({"Or": [no, missing]}, {"v": 1})


def test_boolean_operators_nest():
    # The AWS docs' ChoiceStateX rules.
    in_twenties = {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                           {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"}
    assert check(in_twenties, {"value": 22}) is True
    assert check(in_twenties, {"value": 30}) is False
    nested = {"Not": {"Or": [{"Not": {"Variable": "$.a", "BooleanEquals": True}},
                             {"And": [{"Variable": "$.b", "IsNull": True},
                                      {"Variable": "$.c", "StringMatches": "x*"}]}]}}
    assert check(nested, {"a": True, "b": 1, "c": "xy"}) is True
    assert check(nested, {"a": True, "b": None, "c": "xy"}) is False
    assert check(nested, {"a": False, "b": 1, "c": "xy"}) is False


def test_it_reads_the_context_object_and_variables():
    scope = SimpleNamespace(context={"Execution": {"Name": "run-1"}, "Map": {"Item": {"Index": 3}}},
                            variables={"limit": 10, "cfg": {"mode": "fast"}})
    assert check({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, scope)
    assert check({"Variable": "$$.Map.Item.Index", "NumericLessThanPath": "$limit"}, {}, scope)
    assert check({"Variable": "$cfg.mode", "StringEqualsPath": "$.mode"}, {"mode": "fast"}, scope)
    assert check({"Variable": "$.n", "NumericGreaterThanPath": "$$.Map.Item.Index"}, {"n": 4}, scope)
    with pytest.raises(errors.Runtime) as raised:
        check({"Variable": "$cfg.other", "StringEquals": "x"}, {}, scope)
    assert raised.value.cause == MISSING_CAUSE.format("$cfg.other")
    with pytest.raises(errors.Runtime):
        check({"Variable": "$nope", "NumericEquals": 1}, {}, scope)


def test_it_reads_the_whole_input_and_nested_paths():
    assert check({"Variable": "$", "NumericEquals": 3}, 3)
    assert check({"Variable": "$", "StringEquals": "Hello"}, "Hello")
    assert check({"Variable": "$.a.b[1]", "NumericEquals": 2}, {"a": {"b": [1, 2]}})
    assert check({"Variable": "$.a.b[-1]", "NumericEquals": 2}, {"a": {"b": [1, 2]}})
    assert check({"Variable": "$['odd key']", "StringEquals": "v"}, {"odd key": "v"})
    # An indefinite path yields a list: present, but never a number.
    assert check({"Variable": "$.items[*].n", "IsPresent": True}, {"items": []}) is True
    assert check({"Variable": "$.items[*].n", "NumericEquals": 1}, {"items": [{"n": 1}]}) is False


def test_rules_ignore_next_comment_and_assign():
    rule = {"Variable": "$.v", "NumericEquals": 1, "Next": "A", "Comment": "c", "Assign": {"x": 1}}
    assert check(rule, {"v": 1}) is True
    assert check({"And": [{"Variable": "$.v", "IsNumeric": True, "Comment": "nested"}], "Next": "A"}, {"v": 1})


@pytest.mark.parametrize("rule", [
    None, [], "rule", {}, {"Next": "X"},
    {"Variable": "$.v"},                                            # no operator
    {"Variable": "$.v", "StringEquals": "a", "NumericEquals": 1},   # two operators
    {"Variable": "$.v", "StringEqualz": "a"},
    {"Variable": "$.v", "StringMatchesPath": "$.w"},                # not an ASL operator
    {"Variable": "v", "StringEquals": "a"},                         # not a path
    {"Variable": 3, "StringEquals": "a"},
    {"Variable": "$.v", "StringEquals": 1},
    {"Variable": "$.v", "NumericEquals": "1"},
    {"Variable": "$.v", "NumericEquals": True},
    {"Variable": "$.v", "BooleanEquals": "true"},
    {"Variable": "$.v", "TimestampEquals": "yesterday"},
    {"Variable": "$.v", "StringMatches": None},
    {"Variable": "$.v", "IsNull": "yes"},
    {"Variable": "$.v", "IsPresent": 1},
    {"Variable": "$.v", "StringEqualsPath": "w"},
    {"Variable": "$.v", "StringEqualsPath": 3},
    {"And": []}, {"Or": {}}, {"Not": []}, {"And": [1]},
    {"And": [{"Variable": "$.v", "IsNull": True}], "Variable": "$.v"},
    {"And": [{"Variable": "$.v", "IsNull": True}], "Or": [{"Variable": "$.v", "IsNull": True}]},
    {"Not": {"Variable": "$.v", "IsNull": True, "Next": "X"}},      # Next only at the top
    {"Condition": "{% true %}", "Next": "X"},                        # JSONata
])
def test_it_refuses_odd_rule_shapes_at_compile_time(rule):
    with pytest.raises(ValueError):
        compile_rule(rule)


def test_every_comparison_has_a_row_and_its_path_twin():
    assert len(COMPARISONS) == 17
    for op in COMPARISONS:
        operand = {"String": "a", "Numeric": 1, "Boolean": True, "Timestamp": "2012-10-09T19:00:55Z"}[
            next(p for p in ("String", "Numeric", "Boolean", "Timestamp") if op.startswith(p))]
        if op == "StringMatches":
            operand = "a*"
        compile_rule({"Variable": "$.v", op: operand})
        if op != "StringMatches":
            compile_rule({"Variable": "$.v", op + "Path": "$.w"})


# --- property: only ValueError at compile time, only StatesError at run time ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=6) | st.sampled_from(["2012-10-09T19:00:55Z", "2016-03-05T21:29:29.1+01:00", "a*b"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("abvw"), children, max_size=3),
    max_leaves=8,
)
paths = st.sampled_from(["$", "$.v", "$.w", "$.a.b", "$.a[0]", "$.missing", "$$.Execution.Name", "$x",
                         "$x.y", "$.items[*]", "$.a[?(@ > 1)]", "v", "$..v", "$.a[", 7, None])
operator_names = st.sampled_from(sorted(COMPARISONS) + [n + "Path" for n in COMPARISONS] + sorted(TYPE_TESTS)
                                 + ["IsPresent", "Bogus"])


@st.composite
def rules(draw, depth=0):
    kind = draw(st.sampled_from(["data", "data", "data", "bool", "junk"] if depth < 3 else ["data", "junk"]))
    if kind == "junk":
        return draw(json_values)
    if kind == "bool":
        op = draw(st.sampled_from(["And", "Or", "Not"]))
        if op == "Not":
            return {"Not": draw(rules(depth + 1))}
        return {op: draw(st.lists(rules(depth + 1), max_size=3))}
    name = draw(operator_names)
    operand = draw(paths) if name.endswith("Path") and draw(st.booleans()) else draw(json_values)
    rule = {"Variable": draw(paths), name: operand}
    if draw(st.booleans()):
        rule["Next"] = "X"
    return rule


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(rule=rules(), data=json_values, variables=st.none() | st.dictionaries(st.sampled_from("xy"), json_values))
def test_it_never_raises_anything_but_value_error_or_states_error(rule, data, variables):
    try:
        test = compile_rule(rule)
    except ValueError:
        return
    scope = SimpleNamespace(context={"Execution": {"Name": "n"}}, variables=variables)
    try:
        result = test(data, scope)
    except errors.StatesError as e:
        assert e.error == "States.Runtime" and e.cause
        return
    assert result is True or result is False


# --- cost of one evaluation (informational; speed goals live in bench/) ---

def test_one_evaluation_is_cheap(capsys):
    data = {"type": "Private", "value": 22, "when": "2012-10-09T19:00:55Z"}
    choices = [compile_rule({"Variable": "$.value", "NumericEquals": n, "Next": "X"}) for n in range(50)]
    runs = 5_000
    seconds = min(timeit.repeat(lambda: [t(data, SCOPE) for t in choices], number=runs, repeat=3))
    per_rule = seconds / (runs * len(choices))
    with capsys.disabled():
        print(f"\nchoice: {per_rule * 1e9:.0f} ns per rule evaluation ({runs}x{len(choices)} rules in {seconds:.3f}s)")
    assert math.isfinite(per_rule)
