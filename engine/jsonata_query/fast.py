"""The compiled subset: the common simple expressions as Python closures.

Most expressions in a workflow are a path (`$states.input.a.b[0]`, `$v.x`),
a literal, or a few of them joined by arithmetic, a comparison, `and`/`or`,
`&` or `? :`. Those are compiled into closures with JSONata's exact
semantics (numbers compared as doubles, a name on a non-object selects
nothing, the left side type-checked before the right, ...), so the hot path
does not walk jsonata-python's tree. Any other expression gets no closure.
Whatever a closure cannot decide exactly (a path step that meets an array,
an unknown variable) raises Fallback, and jsonata-python evaluates the
expression instead; a JSONata error raises Failure with the code and
message jsonata-python would give. tests/engine/test_jsonata_query.py
checks that the two agree on generated expressions and inputs.
"""
from __future__ import annotations

import math

import jsonata

from .bridge import FALLBACK, NULL, UNDEFINED, Failure, to_jsonata
from .functions import DIALECT


# Each compiler returns (closure, growth) for a node it handles exactly, or None.
# closure(states, variables) -> value | UNDEFINED; raises Fallback or Failure.


def compile_fast(ast):
    """(closure, growth) for a parsed expression, or None when it is outside the subset."""
    try:
        return _node(ast)
    except RecursionError:
        return None


def _plain(node) -> bool:
    """No predicate, grouping, focus/index binding or keep-array flag on this node."""
    return not (getattr(node, "predicate", None) or getattr(node, "group", None) or getattr(node, "stages", None)
                or getattr(node, "keep_array", False) or getattr(node, "focus", None) or getattr(node, "index", None)
                or getattr(node, "tuple", None) or getattr(node, "ancestor", None))


def _node(node):
    kind = getattr(node, "type", None)
    compiler = _COMPILERS.get(kind)
    return compiler(node) if compiler is not None else None


def _literal(node):
    # "string" / "number" / "value" (true, false, null)
    if not _plain(node):
        return None
    value = node.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return (lambda states, variables: value), 0


def _variable(node):
    # $name
    if not _plain(node) or node.value in DIALECT or node.value == "":
        return None
    name = node.value
    if name == "states":
        return (lambda states, variables: states), 1
    return _variable_reader(name), 1


def _variable_reader(name):
    def read(states, variables):
        try:
            return variables[name]
        except KeyError:
            raise FALLBACK from None  # undefined, or one of JSONata's functions: let jsonata decide
    return read


def _path(node):
    # $states.input.a.b[0] / $var.x: a variable, then names, each with at most one integer index
    steps = node.steps or []
    if not _plain(node) or len(steps) < 2 or getattr(node, "keep_singleton_array", False):
        return None
    first = steps[0]
    if first.type != "variable" or not _plain(first) or first.value in DIALECT or first.value == "":
        return None
    plan = []
    for step in steps[1:]:
        if step.type != "name" or getattr(step, "predicate", None) or getattr(step, "group", None) \
                or getattr(step, "keep_array", False) or getattr(step, "focus", None) \
                or getattr(step, "index", None) or getattr(step, "tuple", None):
            return None
        stages = getattr(step, "stages", None) or []
        if len(stages) > 1:
            return None
        index = None
        if stages:
            stage = stages[0]
            literal = getattr(stage, "expr", None)
            if stage.type != "filter" or getattr(literal, "type", None) != "number" \
                    or type(literal.value) is not int or not _plain(literal):
                return None
            index = literal.value
        plan.append((step.value, index))
    name = first.value
    read = (lambda states, variables: states) if name == "states" else _variable_reader(name)
    steps_plan = tuple(plan)
    if name == "states" and len(steps_plan) == 2 and steps_plan[0][1] is None and steps_plan[1][1] is None:
        (first_key, _), (second_key, _) = steps_plan

        def states_field(states, variables):  # $states.input.x: the hot path
            current = states.get(first_key, UNDEFINED)
            if type(current) is dict:
                return current.get(second_key, UNDEFINED)
            if current is UNDEFINED:
                return UNDEFINED
            return _step(current, second_key, None, True)
        return states_field, 1
    if len(steps_plan) == 2 and steps_plan[0][1] is None and steps_plan[1][1] is None:
        (first_key, _), (second_key, _) = steps_plan

        def two_names(states, variables):
            current = read(states, variables)
            if type(current) is not dict:
                return _step(current, first_key, None, False) if type(current) is list else UNDEFINED
            current = current.get(first_key, UNDEFINED)
            if type(current) is dict:
                return current.get(second_key, UNDEFINED)
            if current is UNDEFINED:
                return UNDEFINED
            return _step(current, second_key, None, True)
        return two_names, 1

    last = len(steps_plan) - 1

    def walk(states, variables):
        current = read(states, variables)
        for i, (key, index) in enumerate(steps_plan):
            current = _step(current, key, index, i == last)
            if current is UNDEFINED:
                return UNDEFINED
        return current
    return walk, 1


def _step(current, key, index, last):
    """One `.key` or `.key[index]` step on a single value."""
    if type(current) is dict:
        value = current.get(key, UNDEFINED)
    elif type(current) is list:
        raise FALLBACK  # mapping over an array: sequence semantics
    else:
        return UNDEFINED  # a name on a string, number, boolean or null selects nothing
    if value is UNDEFINED:
        return UNDEFINED
    if index is not None:
        if type(value) is list:
            size = len(value)
            position = index if index >= 0 else size + index
            if not 0 <= position < size:
                return UNDEFINED
            value = value[position]
            if type(value) is list:
                raise FALLBACK  # an array of arrays: flattening rules
        elif index not in (0, -1):
            return UNDEFINED  # a single value is an array of one
    elif type(value) is list and not last:
        raise FALLBACK
    return value


def _block(node):
    # ( expr )
    expressions = node.expressions or []
    if not _plain(node) or len(expressions) != 1:
        return None
    return _node(expressions[0])


def _condition(node):
    # cond ? then : else
    if not _plain(node):
        return None
    parts = [_node(node.condition), _node(node.then)]
    if getattr(node, "_else", None) is not None:
        parts.append(_node(node._else))
    if any(part is None for part in parts):
        return None
    test, then = parts[0][0], parts[1][0]
    otherwise = parts[2][0] if len(parts) == 3 else (lambda states, variables: UNDEFINED)

    def choose(states, variables):
        return then(states, variables) if _boolean(test(states, variables)) else otherwise(states, variables)
    return choose, max(parts[1][1], parts[2][1] if len(parts) == 3 else 0)


def _binary(node):
    # lhs OP rhs
    if not _plain(node):
        return None
    operator = _OPERATORS.get(node.value)
    if operator is None:
        return None
    left, right = _node(node.lhs), _node(node.rhs)
    if left is None or right is None:
        return None
    lhs, rhs = left[0], right[0]
    kind, apply = operator
    if kind == "and":
        return (lambda states, variables: _boolean(lhs(states, variables)) and _boolean(rhs(states, variables))), 0
    if kind == "or":
        return (lambda states, variables: _boolean(lhs(states, variables)) or _boolean(rhs(states, variables))), 0
    growth = min(2, left[1] + right[1]) if kind == "concat" else 0
    constant = _number_literal(node.rhs)
    if constant is not None and kind == "comparison":
        compare, constant_type = _COMPARE[node.value], type(constant)

        def compare_with_constant(states, variables):  # $states.input.i >= 20000
            value = lhs(states, variables)
            if type(value) is constant_type:
                return compare(value, constant)
            return apply(value, constant)
        return compare_with_constant, 0
    if constant is not None and node.value in ("+", "-") and type(constant) is int and abs(constant) < _EXACT:
        add = constant if node.value == "+" else -constant

        def add_constant(states, variables):  # $states.input.i + 1: exact in doubles below 2**52
            value = lhs(states, variables)
            if type(value) is int and -_EXACT < value < _EXACT:
                return value + add
            return apply(value, constant)
        return add_constant, 0
    return (lambda states, variables: apply(lhs(states, variables), rhs(states, variables))), growth


_EXACT = 2**52


def _number_literal(node):
    if getattr(node, "type", None) == "number" and _plain(node) and _is_number(node.value) \
            and math.isfinite(node.value):
        return node.value
    return None


def _is_number(value) -> bool:
    return type(value) is int or type(value) is float


def _arithmetic(symbol, compute):
    def apply(lhs, rhs):
        # jsonata: the left side is checked first, then the right, then undefined propagates
        if lhs is not UNDEFINED and not _is_number(lhs):
            raise Failure("T2001", symbol, NULL if lhs is None else lhs)
        if rhs is not UNDEFINED and not _is_number(rhs):
            raise Failure("T2002", symbol, NULL if rhs is None else rhs)
        if lhs is UNDEFINED or rhs is UNDEFINED:
            return UNDEFINED
        try:
            result = compute(float(lhs), float(rhs))
        except ZeroDivisionError:
            raise Failure("D1001", math.inf) from None
        except OverflowError:
            raise Failure("D1001", math.inf) from None
        if not math.isfinite(result):
            raise Failure("D1001", result)
        return int(result) if result == int(result) else result
    return apply


def _comparison(symbol, compare):
    def apply(lhs, rhs):
        left_ok = lhs is UNDEFINED or type(lhs) is str or _is_number(lhs)
        right_ok = rhs is UNDEFINED or type(rhs) is str or _is_number(rhs)
        if not left_ok or not right_ok:
            offending = lhs if lhs is not UNDEFINED else rhs
            raise Failure("T2010", symbol, NULL if offending is None else offending)
        if lhs is UNDEFINED or rhs is UNDEFINED:
            return UNDEFINED
        if type(lhs) is not type(rhs):
            if _is_number(lhs) and _is_number(rhs):
                return compare(_double(lhs), _double(rhs))
            raise Failure("T2009", lhs, rhs, symbol)
        return compare(lhs, rhs)
    return apply


def _equality(negate: bool):
    def apply(lhs, rhs):
        if lhs is UNDEFINED or rhs is UNDEFINED:
            return False
        if _is_number(lhs) or _is_number(rhs):  # jsonata compares numbers as doubles
            lhs, rhs = _double(lhs), _double(rhs)
        return _deep_equal(lhs, rhs) != negate
    return apply


def _double(value):
    if not _is_number(value):
        return value
    try:
        return float(value)
    except OverflowError:
        raise Failure("D1001", math.inf) from None


def _deep_equal(lhs, rhs) -> bool:
    if type(lhs) is list and type(rhs) is list:
        return len(lhs) == len(rhs) and all(_deep_equal(a, b) for a, b in zip(lhs, rhs))
    if type(lhs) is dict and type(rhs) is dict:
        return lhs.keys() == rhs.keys() and all(_deep_equal(lhs[k], rhs[k]) for k in lhs)
    if lhs == rhs:
        return isinstance(lhs, bool) == isinstance(rhs, bool)
    return False


def _concat(lhs, rhs):
    return _text(lhs) + _text(rhs)


def _text(value) -> str:
    if type(value) is str:
        return value
    if value is UNDEFINED:
        return ""
    if type(value) is float and not math.isfinite(value):  # pragma: no cover - never produced
        raise Failure("D3001")
    return jsonata.functions.Functions.string(to_jsonata(value), None)


def _boolean(value) -> bool:
    """JSONata's effective boolean value (undefined counts as false here)."""
    if value is True or value is False:
        return value
    if value is UNDEFINED or value is None:
        return False
    if type(value) is str:
        return value != ""
    if _is_number(value):
        return value != 0
    if type(value) is list:
        if len(value) == 1:
            return _boolean(value[0])
        return any(_boolean(item) for item in value)
    if type(value) is dict:
        return len(value) > 0
    return False


_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}

_OPERATORS = {
    "+": ("arithmetic", _arithmetic("+", lambda a, b: a + b)),
    "-": ("arithmetic", _arithmetic("-", lambda a, b: a - b)),
    "*": ("arithmetic", _arithmetic("*", lambda a, b: a * b)),
    "/": ("arithmetic", _arithmetic("/", lambda a, b: a / b)),
    "=": ("equality", _equality(False)),
    "!=": ("equality", _equality(True)),
    "<": ("comparison", _comparison("<", lambda a, b: a < b)),
    "<=": ("comparison", _comparison("<=", lambda a, b: a <= b)),
    ">": ("comparison", _comparison(">", lambda a, b: a > b)),
    ">=": ("comparison", _comparison(">=", lambda a, b: a >= b)),
    "and": ("and", None),
    "or": ("or", None),
    "&": ("concat", _concat),
}

_COMPILERS = {
    "string": _literal,
    "number": _literal,
    "value": _literal,
    "variable": _variable,
    "path": _path,
    "block": _block,
    "condition": _condition,
    "binary": _binary,
}
