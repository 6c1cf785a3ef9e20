"""JSONata expressions (`"{% ... %}"`) as AWS Step Functions evaluates them.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

An expression is parsed once (cached) by jsonata-python. The common simple
forms (paths from `$states` or a variable, literals, arithmetic, comparisons,
`and`/`or`, `&`, `? :`) are compiled into Python closures with JSONata's exact
semantics; anything else, and any case those closures are unsure of (a path
step that meets an array, an unknown variable, ...), is evaluated by
jsonata-python. Either way the result is plain JSON (dict, list, str, int,
float, bool, None) or UNDEFINED, and every failure is a
`States.QueryEvaluationError` with AWS's cause, never a Python exception.

What AWS does, where its documentation is silent (sources in parentheses):

- A field value is an expression when the string starts with "{%" and ends
  with "%}", exactly: " {% x %} " is a plain string (conformance case
  jsonata_base_cases_literals). Causes quote the text between the
  delimiters, trimmed ('$doesNotExist', variables_undefined_reference_*).
- Causes: "The JSONata expression '<expr>' specified for the field '<field>'
  returned nothing (undefined)." / "... returned an unsupported result type."
  (a function) / "... returned an unexpected result type. Expected 'array',
  but was 'number' for value: 1" (map_state_items_eval_jsonata_*) / "...
  threw an error during evaluation. T1006: Attempted to invoke a
  non-function" (LocalStack's recording of `$randomSeeded(...)`): JSONata's
  code, a colon, and jsonata-js's message, whose `{{value}}` placeholders
  are JSON texts (`Argument 1 of function "sum" ...`, floci issue #2668).
- The functions AWS adds: $partition, $range, $hash, $random([seed]),
  $uuid, $parse. `$eval` is not bound, so calling it fails with T1006
  (floci issue #2737). `$random(seed)` is java.util.Random(seed).nextDouble()
  (`$random(42)` is 0.7275636800328681 on AWS, floci issue #2662).
- `$range` returns a JSONata sequence, so a single value is unwrapped:
  `$range(1, 9, 9)` is `1` (jsonata_array_range_03); `$partition` returns
  an array of arrays even for one chunk (jsonata_array_partition_03).
- No NaN or Infinity ever leaves an expression: an arithmetic result that
  is not a finite number fails with D1001 "Number out of range: null", the
  way jsonata-js fails as soon as such a value is used. (Open question:
  floci issue #2737 reports that AWS returns *a value* when the whole
  result is non-finite, e.g. `1/0`; which value is not recorded.)
- JSON null is jsonata's null, not undefined, wherever it sits in the input
  or in a variable (`$v = null` is true for a null variable).
- One evaluation by jsonata-python is bounded: EVALUATION_TIMEOUT_MS (D1012)
  and EVALUATION_MAX_DEPTH nested evaluations (D1011), and a Python
  RecursionError is D1011 too. jsonata-python's plain Python exceptions
  (its own bugs) become "threw an error during evaluation: <Type>: <text>".
- $now() and $millis() read the wall clock at the start of the evaluation.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
import uuid
from collections.abc import Mapping

import jsonata
from jsonata import jexception, timebox, utils
from jsonata.jsonata import Jsonata

from .. import errors
from ..serialize import PAYLOAD_LIMIT, size_in_bytes, to_json


class _Undefined:
    """JSONata's `undefined`: what an expression returns when it selects nothing."""

    __slots__ = ()

    def __repr__(self):
        return "UNDEFINED"

    def __bool__(self):
        return False


UNDEFINED = _Undefined()

_NULL = utils.Utils.NULL_VALUE  # jsonata-python's JSON null (its None means undefined)

# Bounds for one evaluation by jsonata-python: a runaway expression fails
# instead of hanging the worker or overflowing the stack.
EVALUATION_TIMEOUT_MS = 5_000
EVALUATION_MAX_DEPTH = 300


class JsonataSyntaxError(ValueError):
    """The text between `{%` and `%}` is not a JSONata expression."""

    def __init__(self, message: str, expression: str, code: str | None = None, position: int | None = None):
        super().__init__(message)
        self.expression = expression
        self.code = code
        self.position = position


def is_expression(value) -> bool:
    """A string that is exactly `{% ... %}`: no whitespace before `{%` or after `%}`."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def compile_expression(text: str) -> "Expression":
    """Parse the whole `"{% ... %}"` string once (cached). Raises JsonataSyntaxError."""
    if not is_expression(text):
        raise JsonataSyntaxError(f"A JSONata expression is written as '{{% ... %}}', not {text!r}", str(text))
    return _compile(text)


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> "Expression":
    return Expression(_java_trim(text[2:-2]))


def _java_trim(text: str) -> str:
    # Java's String.trim(): every character up to U+0020 on both ends
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


class Expression:
    """One parsed expression: `evaluate()` runs the fast closure when there is one."""

    __slots__ = ("source", "_parsed", "_fast", "growth")

    def __init__(self, source: str):
        self.source = source
        if not source:
            raise JsonataSyntaxError("S0207: Unexpected end of expression: the expression is empty (position 0)",
                                     source, "S0207", 0)
        try:
            self._parsed = Jsonata(source)
        except jexception.JException as e:
            code, message = _describe(e)
            position = e.location if isinstance(e.location, int) and e.location >= 0 else None
            where = f" (position {position})" if position is not None else ""
            raise JsonataSyntaxError(f"{code}: {message}{where}" if code else message + where,
                                     source, code, position) from None
        except RecursionError:
            raise JsonataSyntaxError("The JSONata expression is nested too deeply to parse", source) from None
        except Exception as e:  # the parser's own bugs: never a raw exception
            raise JsonataSyntaxError(f"The JSONata expression does not parse: {e}", source) from None
        self._parsed.set_output_convert_nulls(False)
        self._parsed.set_validate_input(False)
        compiled = _compile_fast(self._parsed.ast)
        self._fast = compiled[0] if compiled is not None else None
        # how many input-sized values the result can hold (2 means "any")
        self.growth = compiled[1] if compiled is not None else 2

    @property
    def is_fast(self) -> bool:
        """Whether evaluate() has a compiled closure (it may still defer to jsonata-python)."""
        return self._fast is not None

    def __repr__(self):
        return f"Expression({self.source!r})"

    def evaluate(self, states: dict, variables, random, field: str):
        """The expression's JSON value, or UNDEFINED. Raises errors.QueryEvaluationError."""
        if variables is None:
            variables = _EMPTY
        fast = self._fast
        if fast is not None:
            try:
                result = fast(states, variables)
            except (_Fallback, RecursionError):
                pass
            except _Failure as failure:
                raise self._error(field, failure.code, failure.message) from None
            else:
                if type(result) is float and not math.isfinite(result):  # pragma: no cover - guarded in ops
                    raise self._error(field, "D1001", "Number out of range: null")
                return result
        return self.evaluate_slow(states, variables, random, field)

    def evaluate_slow(self, states: dict, variables, random, field: str):
        """The same, always by jsonata-python (the reference the fast path is tested against)."""
        if variables is None:
            variables = _EMPTY
        try:
            raw = _run(self._parsed, states, variables, random)
        except jexception.JException as e:
            code, message = _describe(e)
            raise self._error(field, code, message) from None
        except RecursionError:
            raise self._error(field, "D1011", _MESSAGES["D1011"]) from None
        except ZeroDivisionError:
            # jsonata-js divides to Infinity, which fails as soon as it is used
            raise self._error(field, "D1001", "Number out of range: null") from None
        except Exception as e:  # jsonata-python's plain Python failures
            code, message = _describe_python(e)
            raise self._error(field, code, message) from None
        try:
            return _from_jsonata(raw, top=True)
        except RecursionError:
            raise self._error(field, "D1011", _MESSAGES["D1011"]) from None
        except _Unsupported:
            raise errors.QueryEvaluationError(
                f"The JSONata expression '{self.source}' specified for the field '{field}' "
                "returned an unsupported result type.") from None
        except _Failure as failure:
            raise self._error(field, failure.code, failure.message) from None

    def value(self, states: dict, variables, random, field: str):
        """evaluate(), failing with AWS's cause when the expression returns nothing."""
        result = self.evaluate(states, variables, random, field)
        if result is UNDEFINED:
            raise undefined_error(self.source, field)
        return result

    def _error(self, field, code, message):
        sentence = f"The JSONata expression '{self.source}' specified for the field '{field}' threw an error during evaluation"
        if code:
            return errors.QueryEvaluationError(f"{sentence}. {code}: {message}")
        return errors.QueryEvaluationError(f"{sentence}: {message}")


_EMPTY: Mapping = {}


def undefined_error(source: str, field: str) -> errors.QueryEvaluationError:
    return errors.QueryEvaluationError(
        f"The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined).")


# --- result types -------------------------------------------------------------


def json_type(value) -> str:
    """JSONata's name for the type of a JSON value ($type), as AWS names it in causes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "function"


def check_type(value, expected, expression, field: str) -> None:
    """Fail unless `value` has the JSON type `expected` ('array', 'number', ... or a tuple of them).

    AWS: "The JSONata expression '1' specified for the field 'Items' returned
    an unexpected result type. Expected 'array', but was 'number' for value: 1"
    (conformance cases map_state_items_eval_jsonata_fail_*).
    """
    actual = json_type(value)
    wanted = (expected,) if isinstance(expected, str) else tuple(expected)
    if actual in wanted:
        return
    source = expression.source if isinstance(expression, Expression) else expression
    raise errors.QueryEvaluationError(
        f"The JSONata expression '{source}' specified for the field '{field}' returned an unexpected result "
        f"type. Expected '{wanted[0]}', but was '{actual}' for value: {to_json(value)}")


# --- templates ------------------------------------------------------------------


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
        return constant
    evaluate = _compile_template(value, field)
    evaluate.may_grow = _growth(value) > 1
    return evaluate


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
                except (_Fallback, _Failure, RecursionError):
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


# --- errors: jsonata-js's messages ------------------------------------------------

# jsonata-python's catalogue, with the word "function" restored where the port
# wrote "Object" (jsonata-js v2 says `Argument 1 of function "sum" ...`).
_MESSAGES = {code: re.sub(r"\bObject\b", "function", text) for code, text in jexception.JException.error_codes.items()}
_MESSAGES["T1005"] = "Attempted to invoke a non-function. Did you mean ${{{token}}}?"
_MESSAGES["T1007"] = "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"
_ARRAY_TYPES = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_CODE = re.compile(r"^[SDT]\d{4}$")
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def _describe(e: jexception.JException) -> tuple[str | None, str]:
    """(code, message) the way jsonata-js renders them: `{{x}}` as JSON text, `{{{x}}}` as is."""
    code = str(e.error)
    if not _CODE.match(code):
        return None, code  # raised with a message instead of a code
    template = _MESSAGES.get(code)
    if template is None:
        return code, str(e)
    args = [e.current, e.expected] + ([e.extra] if e.extra is not None else [])
    if code == "T0412" and len(args) == 3:  # jsonata-js names the type: "numbers"
        args[2] = _ARRAY_TYPES.get(args[2], args[2])
    position = iter(range(len(args) + 8))

    def fill(match):
        i = next(position)
        value = args[i] if i < len(args) else None
        if match.group(1) is not None:
            return "undefined" if value is None else str(value)
        return _js_json(value)

    return code, _PLACEHOLDER.sub(fill, template)


def _describe_python(e: Exception) -> tuple[str | None, str]:
    """jsonata-python sometimes fails with a plain Python exception: say what jsonata-js says."""
    text = str(e)
    if isinstance(e, ValueError) and "convert" in text and "float" in text:
        found = re.search(r"'(.*)'", text)
        return "D3030", "Unable to cast value to a number: " + _js_json(found.group(1) if found else text)
    if isinstance(e, OverflowError):
        return "D1001", "Number out of range: null"
    return None, f"{type(e).__name__}: {text}" if text else type(e).__name__


def _js_json(value) -> str:
    """JSON.stringify(value) as jsonata-js puts it in a message."""
    if value is None:
        return "undefined"
    if value is _NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    try:
        return to_json(_from_jsonata(value, top=False))
    except Exception:
        return "undefined"


def js_number(value) -> str:
    """A number as JavaScript prints it (1.0 -> "1", 1e21 -> "1e+21", NaN -> "null" in JSON)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not math.isfinite(value):
        return "null"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = int(exponent)
        if -7 < power < 21:
            return format(value, "f").rstrip("0").rstrip(".") if power < 0 else str(int(value))
        return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"
    return text


class _Failure(Exception):
    """A JSONata error found by the compiled closures (same code and message as jsonata-python's)."""

    def __init__(self, code: str, *args):
        self.code = code
        self.message = _describe(jexception.JException(code, -1, *args))[1]


class _Fallback(Exception):
    """The compiled closure cannot decide this case: evaluate with jsonata-python."""


_FALLBACK = _Fallback()


class _Unsupported(Exception):
    pass


# --- values in and out of jsonata-python -------------------------------------


def _to_jsonata(value):
    """JSON null becomes jsonata-python's NULL_VALUE (its None is `undefined`); copies only what changes."""
    if value is None:
        return _NULL
    if type(value) is dict:
        converted = None
        for key, item in value.items():
            if isinstance(item, (dict, list)) or item is None:
                new = _to_jsonata(item)
                if new is not item:
                    if converted is None:
                        converted = dict(value)
                    converted[key] = new
        return value if converted is None else converted
    if type(value) is list:
        converted = None
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)) or item is None:
                new = _to_jsonata(item)
                if new is not item:
                    if converted is None:
                        converted = list(value)
                    converted[i] = new
        return value if converted is None else converted
    return value


def _from_jsonata(value, top: bool):
    """jsonata-python's result as plain JSON; UNDEFINED for nothing; functions are unsupported."""
    if value is None:
        return UNDEFINED if top else None
    if value is _NULL:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Failure("D1001", value)
        return value
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None or _is_function(item):  # JSON.stringify drops them
                continue
            result[key] = _from_jsonata(item, False)
        return result
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        if isinstance(value, utils.Utils.RangeList):
            value = list(range(value.a, value.b + 1))
        if top and utils.Utils.is_sequence(value) and len(value) == 1 and not value.keep_singleton:
            return _from_jsonata(value[0], True)
        return [None if item is None or _is_function(item) else _from_jsonata(item, False) for item in value]
    if _is_function(value) or top:
        raise _Unsupported()
    return None


def _is_function(value) -> bool:
    return isinstance(value, (Jsonata.JFunctionCallable, jsonata.parser.Parser.Symbol, re.Pattern)) or callable(value)


# --- evaluation by jsonata-python ---------------------------------------------------

_local = threading.local()
_conversions: dict = {}  # id(value) -> (value, converted): the engine never mutates a JSON value


def _converted(value):
    if value is None:
        return _NULL
    if not isinstance(value, (dict, list)):
        return value
    key = id(value)
    hit = _conversions.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    converted = _to_jsonata(value)
    if len(_conversions) > 64:
        _conversions.clear()
    _conversions[key] = (value, converted)
    return converted


def _run(parsed: Jsonata, states: dict, variables, random):
    frame = Jsonata.Frame(None)
    bind = frame.bindings
    for name, item in variables.items():
        bind[name] = _converted(item)
    bind["states"] = {key: _converted(item) for key, item in states.items()}
    bind.update(_DIALECT)
    timebox.Timebox(frame, EVALUATION_TIMEOUT_MS, EVALUATION_MAX_DEPTH)
    previous = getattr(_local, "random", None)
    _local.random = random
    # $now() and $millis() read the thread's instance, which evaluate() does not refresh
    parsed.get_per_thread_instance().timestamp = timebox.Timebox.current_milli_time()
    try:
        return parsed.evaluate(None, frame)
    finally:
        _local.random = previous


# --- the functions Step Functions adds ---------------------------------------------


class _Native(Jsonata.JFunctionCallable):
    def __init__(self, implementation):
        self.implementation = implementation

    def call(self, input, args):
        return self.implementation(*(args or ()))


def _partition(array, size):
    # no AWS recording of a bad size: a message without a code, as AWS words its own functions
    if not size >= 1:
        raise jexception.JException(f"The size argument of $partition must be a positive integer, got {_js_json(size)}")
    size = int(size)
    items = list(array) if isinstance(array, list) else [array]
    return utils.Utils.JList([utils.Utils.JList(items[i:i + size]) for i in range(0, len(items), size)])


_MAX_RANGE = 1_000_000  # jsonata's own bound on `[a..b]` (D2014)


def _range(start, end, step):
    if step == 0:
        raise jexception.JException("The step argument of $range must not be 0")
    count = math.floor((end - start) / step) + 1
    if count > _MAX_RANGE:
        raise jexception.JException("D2014", -1, count)  # jsonata's own limit for [a..b]
    values = (utils.Utils.convert_number(start + i * step) for i in range(max(count, 0)))
    return utils.Utils.create_sequence_from_iter(values)


_HASHES = {"MD5": hashlib.md5, "SHA-1": hashlib.sha1, "SHA-256": hashlib.sha256,
           "SHA-384": hashlib.sha384, "SHA-512": hashlib.sha512}


def _hash(value, algorithm):
    if value is None:
        return None
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise jexception.JException(f"The hash algorithm {_js_json(algorithm)} is not supported: "
                                    "use MD5, SHA-1, SHA-256, SHA-384 or SHA-512")
    return digest(value.encode("utf-8", "replace")).hexdigest()


def _random(seed=None):
    if seed is None:
        source = getattr(_local, "random", None)
        if source is None:
            import random as source
        return source.random()
    return _java_next_double(int(seed))


def _java_next_double(seed: int) -> float:
    """new java.util.Random(seed).nextDouble()."""
    multiplier, mask = 0x5DEECE66D, (1 << 48) - 1
    state = (seed ^ multiplier) & mask
    state = (state * multiplier + 0xB) & mask
    high = state >> (48 - 26)
    state = (state * multiplier + 0xB) & mask
    low = state >> (48 - 27)
    return ((high << 27) + low) * (1.0 / (1 << 53))


def _uuid():
    source = getattr(_local, "random", None)
    bits = source.getrandbits(128) if source is not None else uuid.uuid4().int
    return str(uuid.UUID(int=bits, version=4))


def _parse(text):
    if text is None or text is _NULL:
        return text  # undefined stays undefined; JSON.parse(null) is null
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise jexception.JException(f"Unable to parse {_js_json(text)} as JSON: {e}") from None
    return _to_jsonata(value)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _function(implementation, signature: str):
    return Jsonata.JFunction(_Native(implementation), signature)


_DIALECT = {
    "partition": _function(_partition, "<an:a<a>>"),
    "range": _function(_range, "<nnn:a<n>>"),
    "hash": _function(_hash, "<ss:s>"),
    "random": _function(_random, "<n?:n>"),
    "uuid": _function(_uuid, "<:s>"),
    "parse": _function(_parse, "<s:j>"),
    "eval": None,  # refused: calling it fails with T1006 as on AWS
}
for _name, _fn in _DIALECT.items():
    if _fn is not None:
        _fn.signature.set_function_name(_name)


# --- the compiled subset ----------------------------------------------------------
#
# Each compiler returns (closure, growth) for a node it handles exactly, or None.
# closure(states, variables) -> value | UNDEFINED; raises _Fallback or _Failure.


def _compile_fast(ast):
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
    if not _plain(node) or node.value in _DIALECT or node.value == "":
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
            raise _FALLBACK from None  # undefined, or one of JSONata's functions: let jsonata decide
    return read


def _path(node):
    # $states.input.a.b[0] / $var.x: a variable, then names, each with at most one integer index
    steps = node.steps or []
    if not _plain(node) or len(steps) < 2 or getattr(node, "keep_singleton_array", False):
        return None
    first = steps[0]
    if first.type != "variable" or not _plain(first) or first.value in _DIALECT or first.value == "":
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
        raise _FALLBACK  # mapping over an array: sequence semantics
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
                raise _FALLBACK  # an array of arrays: flattening rules
        elif index not in (0, -1):
            return UNDEFINED  # a single value is an array of one
    elif type(value) is list and not last:
        raise _FALLBACK
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
            raise _Failure("T2001", symbol, _NULL if lhs is None else lhs)
        if rhs is not UNDEFINED and not _is_number(rhs):
            raise _Failure("T2002", symbol, _NULL if rhs is None else rhs)
        if lhs is UNDEFINED or rhs is UNDEFINED:
            return UNDEFINED
        try:
            result = compute(float(lhs), float(rhs))
        except ZeroDivisionError:
            raise _Failure("D1001", math.inf) from None
        except OverflowError:
            raise _Failure("D1001", math.inf) from None
        if not math.isfinite(result):
            raise _Failure("D1001", result)
        return int(result) if result == int(result) else result
    return apply


def _comparison(symbol, compare):
    def apply(lhs, rhs):
        left_ok = lhs is UNDEFINED or type(lhs) is str or _is_number(lhs)
        right_ok = rhs is UNDEFINED or type(rhs) is str or _is_number(rhs)
        if not left_ok or not right_ok:
            offending = lhs if lhs is not UNDEFINED else rhs
            raise _Failure("T2010", symbol, _NULL if offending is None else offending)
        if lhs is UNDEFINED or rhs is UNDEFINED:
            return UNDEFINED
        if type(lhs) is not type(rhs):
            if _is_number(lhs) and _is_number(rhs):
                return compare(_double(lhs), _double(rhs))
            raise _Failure("T2009", lhs, rhs, symbol)
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
        raise _Failure("D1001", math.inf) from None


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
        raise _Failure("D3001")
    return jsonata.functions.Functions.string(_to_jsonata(value), None)


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
