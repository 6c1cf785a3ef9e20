"""Property tests: whatever the definition and input, a run ends as data (a status,
an error and a cause), never as a Python exception escaping the engine."""
import copy
import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine

from .shared import CONFORMANCE

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)

DEFINITIONS = sorted(CONFORMANCE.glob("*/definition.json")) if CONFORMANCE.is_dir() else []
SMALL = [{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a.$": "$.a"}, "Next": "C"},
                                     "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNumeric": True,
                                                                          "Next": "M"}], "Default": "F"},
                                     "M": {"Type": "Map", "ItemsPath": "$.a", "End": True, "ItemProcessor": {
                                         "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
                                     "F": {"Type": "Fail", "Error": "E"}}}]


def run_to_the_end(definition, task_input):
    try:
        machine = engine.parse(definition)
    except engine.InvalidDefinition:
        return None
    result = engine.run(machine, task_input, fast_time=True, history_limit=2000, seed=1)
    assert result.status in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
    json.dumps(result.output)
    assert result.error is None or isinstance(result.error, str)
    return result


def mutate(node, rnd, values):
    """A random edit somewhere in a definition: drop a key, replace a value, or rename a key."""
    paths = []

    def walk(n, path):
        if isinstance(n, dict):
            for k, v in n.items():
                paths.append((n, k))
                walk(v, path + [k])
        elif isinstance(n, list):
            for i, v in enumerate(n):
                paths.append((n, i))
                walk(v, path + [i])

    walk(node, [])
    if not paths:
        return node
    parent, key = rnd.choice(paths)
    action = rnd.randrange(3)
    if action == 0 and isinstance(parent, dict):
        del parent[key]
    elif action == 1 or not isinstance(parent, dict):
        parent[key] = values
    else:
        parent[str(values)[:10]] = parent.pop(key)
    return node


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), json_values, json_values)
def test_it_never_raises_on_mutated_definitions(seed, replacement, task_input):
    rnd = random.Random(seed)
    source = rnd.choice(DEFINITIONS) if DEFINITIONS else None
    definition = json.loads(source.read_text()) if source else copy.deepcopy(rnd.choice(SMALL))
    for _ in range(rnd.randrange(1, 3)):
        definition = mutate(definition, rnd, replacement)
    run_to_the_end(definition, task_input)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_it_never_raises_on_random_inputs(task_input):
    for definition in SMALL:
        run_to_the_end(definition, task_input)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_validation_refuses_or_accepts_any_json_without_raising(definition):
    assert isinstance(engine.validate(definition), list)
    run_to_the_end(definition, {})


WRONG_TYPES = ("abc", 7, -1.5, True, None, [], [1, "x"], {}, {"k": "v"})
TYPED = SMALL + [
    {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"x": "{% $states.input %}"},
              "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "W"}], "TimeoutSeconds": 5, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}],
              "Output": "{% $states.result %}", "End": True}}},
]


def every_place(node, path=()):
    """(path, value) of every member and item at every depth."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield path + (key,), value
        yield from every_place(value, path + (key,))


def replaced(definition, path, value):
    copied = copy.deepcopy(definition)
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copied


def test_a_wrong_type_anywhere_in_a_definition_is_a_problem_never_an_exception():
    """issue 9 §2: TestState with {"States": "abc"} gave a TypeError. Each member and item, at every
    level, takes each wrong-typed value in turn: validate, parse and TestState answer with problems."""
    for definition in TYPED:
        for path, _ in list(every_place(definition)):
            for wrong in WRONG_TYPES:
                changed = replaced(definition, path, wrong)
                assert isinstance(engine.validate(changed), list)
                run_to_the_end(changed, {"a": [1]})
                for name in list(changed.get("States", {}) if isinstance(changed.get("States"), dict) else ()) + \
                        ["Nope", 3]:
                    try:
                        result = engine.test_state(changed, state_name=name, input={"a": [1]},
                                                   mock={"result": {"ok": 1}})
                    except (engine.InvalidDefinition, ValueError):
                        continue
                    assert result["status"] in ("SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR"), result
