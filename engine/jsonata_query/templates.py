"""Templates: an Arguments/Output/Assign/... value with JSONata expressions at any depth.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

Strings that are exactly `{% ... %}` are evaluated wherever they sit inside
objects and arrays; everything else is copied as written. An expression
that returns nothing fails with a cause naming its place in the value,
'Output/result', 'Arguments', ...
"""
from __future__ import annotations

import math

from ..serialize import PAYLOAD_LIMIT, depth_of, size_in_bytes
from .bridge import UNDEFINED, Failure, Fallback
from .expressions import compile_expression, is_expression, undefined_error



def compile_template(value, field: str):
    """Return evaluate(states, variables, random) -> JSON for an Arguments/Output/Assign/... value.

    Strings that are expressions are evaluated, at any depth inside objects
    and arrays; everything else is copied as written (static parts are
    shared, never rebuilt). An expression that returns nothing fails with
    AWS's cause naming where it sits: 'Output/result', 'Arguments', ...
    `may_grow` says whether the output can be larger than the inputs.
    """
    if not _is_dynamic(value):
        def constant(states, variables, random):
            return value
        constant.may_grow = size_in_bytes(value) > PAYLOAD_LIMIT
        constant.nesting = depth_of(value)
        return constant
    evaluate = _compile_template(value, field)
    evaluate.may_grow = _growth(value) > 1
    evaluate.nesting = _nesting(value)
    return evaluate


def _nesting(node):
    """Levels of objects and arrays around the expressions; None when an expression may build a
    deeper value than it reads (only the compiled subset's results are parts of their inputs)."""
    if isinstance(node, str):
        return None if is_expression(node) and not compile_expression(node).is_fast else 0
    items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
    if items is None:
        return 0
    inner = [_nesting(item) for item in items]
    return None if None in inner else max(inner, default=0) + 1


def _is_dynamic(node) -> bool:
    if isinstance(node, str):
        return is_expression(node)
    if isinstance(node, dict):
        return any(_is_dynamic(item) for item in node.values())
    if isinstance(node, list):
        return any(_is_dynamic(item) for item in node)
    return False


def _growth(node) -> int:
    """How many input-sized values a template can produce (2 means "any")."""
    if isinstance(node, str):
        return compile_expression(node).growth if is_expression(node) else 0
    items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return min(2, sum(_growth(item) for item in items))


def _compile_template(node, field):
    if isinstance(node, str):
        if not is_expression(node):
            return lambda states, variables, random: node
        expression = compile_expression(node)
        evaluate, fast = expression.evaluate, expression._fast
        if fast is None:
            def value(states, variables, random):
                result = evaluate(states, variables, random, field)
                if result is UNDEFINED:
                    raise undefined_error(expression.source, field)
                return result
        else:
            def value(states, variables, random):  # the closure first, without evaluate()'s call
                try:
                    result = fast(states, variables)
                except (Fallback, Failure, RecursionError):
                    result = evaluate(states, variables, random, field)
                if result is UNDEFINED:
                    raise undefined_error(expression.source, field)
                if type(result) is float and not math.isfinite(result):
                    return evaluate(states, variables, random, field)
                return result

        value.expression = expression
        return value
    if isinstance(node, list):
        items = [_compile_template(item, f"{field}[{i}]") if _is_dynamic(item) else _constant(item)
                 for i, item in enumerate(node)]
        return lambda states, variables, random: [item(states, variables, random) for item in items]
    if isinstance(node, dict):
        fields = [(key, _compile_template(item, f"{field}/{key}") if _is_dynamic(item) else _constant(item))
                  for key, item in node.items()]
        return lambda states, variables, random: {key: item(states, variables, random) for key, item in fields}
    return _constant(node)


def _constant(value):
    return lambda states, variables, random: value
