"""Payload templates: Parameters, ResultSelector, ItemSelector (JSONPath mode).

A key ending in `.$` takes its value from a path or an intrinsic function;
everything else is copied as written, nested objects and arrays included.
A template is compiled once into a closure; the static parts of it are
shared, never rebuilt, since the engine never mutates a JSON value.
"""
from __future__ import annotations

from . import errors
from .intrinsics import compile_intrinsic, is_intrinsic
from .jsonpath import PathNotFound, compile_path
from .serialize import PAYLOAD_LIMIT, depth_of, size_in_bytes, to_json


# Intrinsics whose result is small whatever their input: a template using
# them cannot outgrow its input, so its output need not be measured.
_SMALL_RESULTS = frozenset({
    "States.MathAdd", "States.MathRandom", "States.ArrayLength", "States.ArrayContains",
    "States.UUID", "States.Hash",
})


def compile_template(template, field: str):
    """Return evaluate(data, scope) -> JSON value for a payload template.

    The function's `may_grow` attribute says whether its output can be larger
    than its input (two selections of the input, or a growing intrinsic), so
    the engine measures the 256 KiB limit only where it can be exceeded;
    `nesting`, how many levels deeper than its input its output can be (None:
    unknown, an intrinsic that builds values), so it measures depth only then.
    """
    if not _is_dynamic(template):
        evaluate = lambda data, scope: template  # noqa: E731
        evaluate.may_grow = size_in_bytes(template) > PAYLOAD_LIMIT
        evaluate.nesting = depth_of(template)
        return evaluate
    evaluate = _compile(template, field)
    evaluate.may_grow = _growth(template) > 1
    evaluate.nesting = _nesting(template)
    return evaluate


def _nesting(node):
    """Levels of objects and arrays above the deepest selection; None if an intrinsic builds a value."""
    if isinstance(node, (dict, list)):
        deepest = 0
        for key, value in (node.items() if isinstance(node, dict) else enumerate(node)):
            if isinstance(key, str) and key.endswith(".$"):
                if isinstance(value, str) and is_intrinsic(value) and \
                        value.split("(", 1)[0].strip() not in _SMALL_RESULTS:
                    return None
                continue
            inner = _nesting(value)
            if inner is None:
                return None
            deepest = max(deepest, inner)
        return deepest + 1
    return 0


def _growth(node) -> int:
    """How many input-sized values a template can produce (2 means "any")."""
    if isinstance(node, list):
        return min(2, sum(_growth(item) for item in node))
    if not isinstance(node, dict):
        return 0
    total = 0
    for key, value in node.items():
        if not key.endswith(".$"):
            total += _growth(value)
        elif not isinstance(value, str) or not is_intrinsic(value):
            total += 1
        elif value.split("(", 1)[0].strip() not in _SMALL_RESULTS:
            total += 2
    return min(total, 2)


def _is_dynamic(node) -> bool:
    if isinstance(node, dict):
        return any(key.endswith(".$") or _is_dynamic(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_is_dynamic(item) for item in node)
    return False


def _compile(node, field):
    if isinstance(node, list):
        items = [_compile(item, field) for item in node]
        return lambda data, scope: [item(data, scope) for item in items]
    if not isinstance(node, dict):
        return lambda data, scope: node
    fields = []
    for key, value in node.items():
        if key.endswith(".$"):
            fields.append((key[:-2], compile_selector(value, key)))
        elif _is_dynamic(value):
            fields.append((key, _compile(value, field)))
        else:
            fields.append((key, _constant(value)))

    def evaluate(data, scope):
        return {key: value(data, scope) for key, value in fields}

    return evaluate


def _constant(value):
    return lambda data, scope: value


def compile_selector(text, key: str):
    """The value of a `key.$` field: a path or an intrinsic function call."""
    if isinstance(text, str) and is_intrinsic(text):
        intrinsic = compile_intrinsic(text)
        return intrinsic.evaluate
    path = compile_path(text)

    def select(data, scope):
        try:
            if path.root == "$":
                return path.find(data)
            return path.resolve(data, scope.context, scope.variables)
        except PathNotFound:
            raise nothing_selected(path, key, data) from None

    return select


def nothing_selected(path, field, data) -> errors.StatesError:
    """States.Runtime, with the cause AWS gives for this field when its path selects nothing."""
    cause = _NOTHING_SELECTED.get(field, _not_found_in_input)(path, field, data)
    return errors.Runtime(cause)


def _not_found_in_input(path, field, data):
    # recorded: the `.$` keys of Parameters (conformance case ..._parameters_no_such_path), ErrorPath
    return f"The JSONPath '{path.text}' specified for the field '{field}' could not be found in the input '{to_json(data)}'"


def _invalid_path(path, field, data):
    # Jayway's PathNotFoundException, as AWS words it: recorded for InputPath and OutputPath
    # (conformance cases ..._no_such_input_path / _output_path); LocalStack, checked against AWS,
    # gives it for TimeoutSecondsPath and HeartbeatSecondsPath too.
    return f"Invalid path '{path.text}' : No results for path: {path.normalized}"


def _no_input_value(path, field, data):
    # "The TimestampPath parameter does not reference an input value: $.x", as AWS's Wait state
    # words it (LocalStack and serverless-step-functions reproduce it for SecondsPath and TimestampPath)
    return f"The {field} parameter does not reference an input value: {path.text}"


# What AWS says when a path field selects nothing, by field; every other field (`key.$` in a
# template, ErrorPath, CausePath, ItemsPath, MaxConcurrencyPath, ...): _not_found_in_input.
_NOTHING_SELECTED = {
    "InputPath": _invalid_path, "OutputPath": _invalid_path,
    "TimeoutSecondsPath": _invalid_path, "HeartbeatSecondsPath": _invalid_path,
    "SecondsPath": _no_input_value, "TimestampPath": _no_input_value,
}
