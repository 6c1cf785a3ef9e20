"""Choice rules (JSONPath mode), compiled once into plain closures.

    test = compile_rule({"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"})
    test(data, scope)   # -> bool; scope has .context ($$) and .variables ($name)

A rule is a boolean expression (And / Or / Not) or a data test: `Variable`
plus one operator. Operators come from ONE table, COMPARISONS; each "...Path"
twin reuses its row with the operand read from the input, the context object
or a variable instead of taken literally. The Is* type tests sit in a second
table, TYPE_TESTS.

Semantics, as AWS runs them (ASL spec https://states-language.net/spec.html#choice-state,
https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html, and the
recorded cases in ../shared/conformance/cases/choice_*):

- A value of the wrong type never matches: a string compared numerically,
  a number compared as a string, null against anything, is simply false.
  `bool` is not a number; 1 equals 1.0.
- Strings order as Java's String.compareTo does: by UTF-16 code unit, which
  differs from Python's code point order for characters beyond U+FFFF.
- Timestamps are parsed on both sides (engine.timestamps) and compared as
  instants; one that does not parse makes the comparison false.
- A `Variable` path that matches nothing fails the state with States.Runtime,
  "Invalid path '<path>': The choice state's condition path references an
  invalid value." — for every operator except IsPresent, which exists to ask
  exactly that. A "...Path" operand that matches nothing fails the same way.
- And/Or stop at the first rule that decides them, so a later rule is not
  evaluated (and cannot fail).
"""
from __future__ import annotations

import operator

from . import errors
from .jsonpath import CONTEXT, DATA, PathNotFound, PathSyntaxError, compile_path
from .timestamps import parse_instant

__all__ = ["compile_rule", "COMPARISONS", "TYPE_TESTS"]

# A rule may carry these besides its expression; they are not the choice
# engine's business (Next is the state's, Assign the variables', Output JSONata's).
_IGNORED_KEYS = frozenset({"Next", "Comment", "Assign", "Output"})

_MISSING = object()   # a path that matched nothing
_NO = object()        # a value of the wrong type for the comparison

_INVALID_PATH = "Invalid path '{}': The choice state's condition path references an invalid value."


# --- the operand types: each turns a JSON value into a comparable, or _NO ---

def _string(value):
    return value if value.__class__ is str or isinstance(value, str) else _NO


def _number(value):
    # bool is an int to Python, but not a number to ASL
    cls = value.__class__
    if cls is int or cls is float:
        return value
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _NO


def _boolean(value):
    return value if value is True or value is False else _NO


def _timestamp(value):
    if not isinstance(value, str):
        return _NO
    instant = parse_instant(value)
    return _NO if instant is None else instant


# --- string order: Java's String.compareTo, by UTF-16 code unit ---

def _utf16(op):
    def compare(a, b):
        # Code point order and UTF-16 order agree unless both strings reach
        # beyond ASCII (they differ only for U+E000..U+FFFF against astral).
        if a.isascii() or b.isascii():
            return op(a, b)
        return op(a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass"))
    compare.__name__ = f"utf16_{op.__name__}"
    return compare


# --- StringMatches: '*' matches any run of characters; '\*' and '\\' are literal ---

def _glob_segments(pattern: str) -> list[str]:
    """Split a StringMatches pattern at its unescaped '*'s."""
    segments, current, i = [], [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            current.append(pattern[i + 1])
            i += 2
            continue
        if ch == "*":
            segments.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    segments.append("".join(current))
    return segments


class _Glob:
    """A compiled StringMatches pattern. Linear-time matching (no regex backtracking)."""

    __slots__ = ("pattern", "head", "middle", "tail", "min_len", "exact")

    def __init__(self, pattern: str):
        segments = _glob_segments(pattern)
        self.pattern = pattern
        self.exact = segments[0] if len(segments) == 1 else None
        self.head, self.tail = segments[0], segments[-1]
        self.middle = tuple(s for s in segments[1:-1] if s)
        self.min_len = sum(map(len, segments))

    def __repr__(self):
        return f"_Glob({self.pattern!r})"


def _glob_pattern(value):
    return _Glob(value) if isinstance(value, str) else _NO


def _matches(text: str, glob: _Glob) -> bool:
    if glob.exact is not None:
        return text == glob.exact
    if len(text) < glob.min_len or not text.startswith(glob.head) or not text.endswith(glob.tail):
        return False
    pos, end = len(glob.head), len(text) - len(glob.tail)
    for segment in glob.middle:
        found = text.find(segment, pos, end)
        if found < 0:
            return False
        pos = found + len(segment)
    return True


# One row per comparison operator: (variable type, operand type, compare).
# The operand type turns the literal (once, at compile time) or the "...Path"
# operand's value (per evaluation) into what `compare` takes.
COMPARISONS = {
    "StringEquals": (_string, _string, operator.eq),
    "StringLessThan": (_string, _string, _utf16(operator.lt)),
    "StringGreaterThan": (_string, _string, _utf16(operator.gt)),
    "StringLessThanEquals": (_string, _string, _utf16(operator.le)),
    "StringGreaterThanEquals": (_string, _string, _utf16(operator.ge)),
    "StringMatches": (_string, _glob_pattern, _matches),
    "NumericEquals": (_number, _number, operator.eq),
    "NumericLessThan": (_number, _number, operator.lt),
    "NumericGreaterThan": (_number, _number, operator.gt),
    "NumericLessThanEquals": (_number, _number, operator.le),
    "NumericGreaterThanEquals": (_number, _number, operator.ge),
    "BooleanEquals": (_boolean, _boolean, operator.is_),
    "TimestampEquals": (_timestamp, _timestamp, operator.eq),
    "TimestampLessThan": (_timestamp, _timestamp, operator.lt),
    "TimestampGreaterThan": (_timestamp, _timestamp, operator.gt),
    "TimestampLessThanEquals": (_timestamp, _timestamp, operator.le),
    "TimestampGreaterThanEquals": (_timestamp, _timestamp, operator.ge),
}

# StringMatches has no "...Path" twin in ASL.
_PATH_TWINS = {name + "Path": name for name in COMPARISONS if name != "StringMatches"}


def _is_number(value) -> bool:
    return _number(value) is not _NO


def _is_timestamp(value) -> bool:
    return isinstance(value, str) and parse_instant(value) is not None


# The Is* operators: `"IsString": true` asks "is it?", `false` asks "is it not?".
# IsPresent is the one that takes a path matching nothing in its stride.
TYPE_TESTS = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: value is True or value is False,
    "IsTimestamp": _is_timestamp,
}

_BOOLEAN_OPERATORS = ("And", "Or", "Not")
_OPERATORS = frozenset(COMPARISONS) | frozenset(_PATH_TWINS) | frozenset(TYPE_TESTS) | {"IsPresent"}


# --- reading a path: a getter returning the value or _MISSING ---

def _getter(text, field: str):
    if not isinstance(text, str):
        raise ValueError(f"{field} must be a JSONPath string, not {text!r}")
    try:
        path = compile_path(text)
    except PathSyntaxError as e:
        raise ValueError(f"{field}: {e}") from None

    if path.definite and path.root is DATA:
        keys = path.keys
        if not keys:                              # "$"
            return lambda data, scope: data
        if len(keys) == 1 and type(keys[0]) is str:   # "$.name": the common case, kept tight
            key = keys[0]

            def get_name(data, scope):
                if isinstance(data, dict):
                    try:
                        return data[key]
                    except KeyError:
                        pass
                return _MISSING
            return get_name

    find = _found(path)
    if path.root is DATA:
        return lambda data, scope: find(data)
    if path.root is CONTEXT:
        return lambda data, scope: find(scope.context)

    name = path.variable

    def get_variable(data, scope):                # "$name..."
        variables = scope.variables
        if variables is None or name not in variables:
            return _MISSING
        return find(variables[name])
    return get_variable


def _found(path):
    """path.find(value), with _MISSING for a definite path that leads nowhere.

    An indefinite path (wildcards, filters, ...) yields a list and runs
    jsonpath-ng's evaluator on arbitrary data: a surprise inside it counts as
    matching nothing rather than crashing the engine.
    """
    find = path.find
    missed = PathNotFound if path.definite else Exception

    def found(value):
        try:
            return find(value)
        except missed:
            return _MISSING
    return found


# --- compiling rules ---

def compile_rule(rule: dict):
    """Compile a Choice rule (top-level, with its Next, or nested) into test(data, scope) -> bool.

    Raises ValueError for a rule of a shape no valid definition has. The
    returned test raises errors.Runtime with AWS's cause when a path it needs
    matches nothing.
    """
    return _compile(rule, top_level=True)


def _compile(rule, top_level: bool):
    if not isinstance(rule, dict):
        raise ValueError(f"a choice rule must be an object, not {type(rule).__name__}")
    if "Condition" in rule:
        raise ValueError("'Condition' is a JSONata choice rule; this compiles JSONPath rules")
    if not top_level and "Next" in rule:
        raise ValueError("a rule nested in And/Or/Not must not have 'Next'")

    keys = [k for k in rule if k not in _IGNORED_KEYS]
    booleans = [k for k in keys if k in _BOOLEAN_OPERATORS]
    if booleans:
        if len(keys) != 1:
            raise ValueError(f"a boolean choice rule has exactly one of And/Or/Not and nothing else, got {sorted(keys)}")
        return _compile_boolean(booleans[0], rule[booleans[0]])

    if "Variable" not in rule:
        raise ValueError(f"a choice rule needs 'Variable' or one of And/Or/Not, got {sorted(keys)}")
    ops = [k for k in keys if k != "Variable"]
    if len(ops) != 1:
        raise ValueError(f"a choice rule has exactly one comparison operator, got {sorted(ops)}")
    name = ops[0]
    if name not in _OPERATORS:
        raise ValueError(f"unknown choice operator {name!r}")
    return _compile_data_test(rule["Variable"], name, rule[name])


def _compile_boolean(name: str, operand):
    if name == "Not":
        inner = _compile(operand, top_level=False)

        def test_not(data, scope):                # {"Not": rule}
            return not inner(data, scope)
        return test_not

    if not isinstance(operand, list) or not operand:
        raise ValueError(f"'{name}' must be a non-empty array of choice rules")
    tests = tuple(_compile(r, top_level=False) for r in operand)

    if name == "And":
        def test_and(data, scope):                # {"And": [rules]}: first false decides
            for test in tests:
                if not test(data, scope):
                    return False
            return True
        return test_and

    def test_or(data, scope):                     # {"Or": [rules]}: first true decides
        for test in tests:
            if test(data, scope):
                return True
        return False
    return test_or


def _compile_data_test(variable, name: str, operand):
    get = _getter(variable, "Variable")
    missing = _INVALID_PATH.format(variable)
    runtime = errors.Runtime

    if name == "IsPresent":
        if operand is not True and operand is not False:
            raise ValueError(f"'IsPresent' takes true or false, not {operand!r}")
        present = operand

        def test_is_present(data, scope):         # {"Variable": p, "IsPresent": bool}
            return (get(data, scope) is not _MISSING) is present
        return test_is_present

    if name in TYPE_TESTS:
        if operand is not True and operand is not False:
            raise ValueError(f"'{name}' takes true or false, not {operand!r}")
        is_type, expected = TYPE_TESTS[name], operand

        def test_is_type(data, scope):            # {"Variable": p, "IsString": bool}, ...
            value = get(data, scope)
            if value is _MISSING:
                raise runtime(missing)
            return is_type(value) is expected
        return test_is_type

    if name in _PATH_TWINS:
        as_variable, as_operand, compare = COMPARISONS[_PATH_TWINS[name]]
        get_operand = _getter(operand, name)
        operand_missing = _INVALID_PATH.format(operand)

        def test_path(data, scope):               # {"Variable": p, "NumericEqualsPath": q}, ...
            value = get(data, scope)
            if value is _MISSING:
                raise runtime(missing)
            other = get_operand(data, scope)
            if other is _MISSING:
                raise runtime(operand_missing)
            value = as_variable(value)
            if value is _NO:
                return False
            other = as_operand(other)
            return other is not _NO and compare(value, other)
        return test_path

    as_variable, as_operand, compare = COMPARISONS[name]
    literal = as_operand(operand)
    if literal is _NO:
        raise ValueError(f"'{name}' cannot compare with {operand!r}")

    def test_literal(data, scope):                # {"Variable": p, "StringEquals": "x"}, ...
        value = get(data, scope)
        if value is _MISSING:
            raise runtime(missing)
        value = as_variable(value)
        return value is not _NO and compare(value, literal)
    return test_literal
