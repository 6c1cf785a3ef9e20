"""Intrinsic functions (`States.Format(...)` and friends) as Step Functions runs them.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

A call is parsed once (cached) into a tree of closures; evaluating it walks
no text, copies no input and mutates nothing. Each function is one row of
FUNCTIONS: its implementation and how many arguments it takes.

What AWS does where its documentation is silent (each point was observed on
AWS by the sources named, and is pinned by tests/engine/test_intrinsics.py):

- A failing call is `States.Runtime` (never caught by States.ALL) with the
  cause "The function '<the whole expression, as written>' had the following
  error: <reason>". The interpreter prefixes it with "An error occurred while
  executing the state ...", as for any other States.Runtime of a state.
  Reasons: "Invalid arguments in States.X", or, for a JSONPath argument that
  matches nothing, "The JsonPath argument for the field '$.x' could not be
  found in the input '<state input as compact JSON>'". (Recorded from AWS by
  the floci project's StepFunctionsIntrinsicMissingArgumentIntegrationTest.)
- A wrong number of arguments is accepted by CreateStateMachine and fails at
  run time like any invalid argument, so compile_intrinsic() does not refuse
  it; `Intrinsic.problems` names it for linters.
- Numbers are converted the Java way: MathAdd rounds half up (Math.round:
  1.5 -> 2, -1.5 -> -1, conformance cases intrinsic_math_add_*); the other
  functions truncate toward zero (ArrayPartition(a, 2.6) uses 2,
  ArrayGetItem(a, 1.2) uses 1, MathRandom(1.6, 5.4) can return 1).
- States.Format prints a non-string argument the way Java's toString does:
  `{Arg1=1, Arg2=[]}`, `[1, 2]`, `null` (intrinsic_format_2_08,
  intrinsic_context_json_path). States.JsonToString writes compact JSON.
- States.ArrayContains compares those same toString texts: key order matters
  for objects and `true` matches "true" (observed on AWS).
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import random
import re
import uuid
from decimal import Decimal

from .. import errors
from ..jsonpath import DATA, PathNotFound, PathSyntaxError, compile_path

# The error a failing call raises. AWS reports States.Runtime, not the
# States.IntrinsicFailure its error-name list suggests (see module docstring).
FAILURE = errors.Runtime

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_MAX_CHARS = 10_000  # Base64Encode, Base64Decode and Hash inputs
_MAX_RANGE = 1_000  # ArrayRange results
_MAX_DEPTH = 64  # nesting of calls; AWS documents 10, this only bounds recursion
_WHITESPACE = " \t\n\r"


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic function call AWS would accept in a definition."""


def is_intrinsic(text) -> bool:
    """Whether a `.$` value is an intrinsic call rather than a path.

    AWS decides by the prefix, exactly (no leading space, case-sensitive: a
    `States.format(...)` fails validation as neither path nor intrinsic).
    """
    return isinstance(text, str) and text.startswith("States.")


def compile_intrinsic(text: str) -> "Intrinsic":
    """Parse an intrinsic function call (cached). Raises IntrinsicSyntaxError."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(f"An intrinsic function call must be a string, not {type(text).__name__}")
    return _compile(text)


class Intrinsic:
    """A compiled call. `evaluate(data, scope)` returns its JSON value.

    `scope` has `.context` (the context object, for `$$` paths), `.variables`
    (a dict or None, for `$name` paths) and `.random` (a random.Random that
    MathRandom without a seed and UUID draw from).
    """

    __slots__ = ("text", "name", "problems", "_run")

    def __init__(self, text, name, problems, run):
        self.text = text
        self.name = name
        self.problems = problems
        self._run = run

    def __repr__(self):
        return f"Intrinsic({self.text!r})"

    def evaluate(self, data, scope):
        try:
            return self._run(data, scope)
        except _Failure as failure:
            reason = failure.reason(data)
        except RecursionError:
            reason = "The arguments are nested too deeply"
        raise FAILURE(f"The function '{self.text}' had the following error: {reason}")


# --- failures inside a call, turned into FAILURE by Intrinsic.evaluate ------


class _Failure(Exception):
    def reason(self, data) -> str:
        raise NotImplementedError


class _Invalid(_Failure):
    def __init__(self, name):
        self.name = name

    def reason(self, data):
        return f"Invalid arguments in {self.name}"


class _Missing(_Failure):
    def __init__(self, field):
        self.field = field

    def reason(self, data):
        try:
            text = to_json(data)
        except (ValueError, TypeError, RecursionError):
            text = str(data)
        return f"The JsonPath argument for the field '{self.field}' could not be found in the input '{text}'"


# --- value helpers -----------------------------------------------------------


def _truncated(value, name) -> int:
    """A number as Java's (int) cast sees it: fractions dropped toward zero."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    raise _Invalid(name)


def _rounded(value, name) -> int:
    """A number as Java's Math.round sees it: halves go up (-1.5 -> -1)."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        floor = math.floor(value)
        return floor + 1 if value - floor >= 0.5 else floor
    raise _Invalid(name)


def _string(value, name) -> str:
    if type(value) is str:
        return value
    raise _Invalid(name)


def _java_double(value: float) -> str:
    """Java's Double.toString: 1.0, 0.001, 1.0E7, 1.5E-5, shortest digits."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)  # decimal notation in this range, "5.0" for integral values
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    power = exponent + len(digits) - 1  # value = d.ddd x 10^power
    digits = "".join(map(str, digits)).rstrip("0") or "0"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return ("-" if sign else "") + mantissa + "E" + str(power)


def _java_text(value) -> str:
    """A JSON value as Java's toString prints it (what States.Format inserts)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _java_double(value)
    if kind is list or isinstance(value, list):
        return "[" + ", ".join(map(_java_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_text(item)}" for key, item in value.items()) + "}"
    return str(value)


# JSON string escaping as Jackson writes it: short escapes where JSON has
# them, \u00XX (upper-case hex) for other control characters, nothing else.
_JSON_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_JSON_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\b"): "\\b", ord("\f"): "\\f",
                      ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _json_string(text: str) -> str:
    return '"' + text.translate(_JSON_ESCAPES) + '"'


def to_json(value) -> str:
    """Compact JSON as Step Functions (Jackson) writes it: {"a":1,"b":[1.5,"x"]}."""
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _java_double(value)
    if isinstance(value, list):
        return "[" + ",".join(map(to_json, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_json_string(str(key)) + ":" + to_json(item) for key, item in value.items()) + "}"
    raise TypeError(f"{kind.__name__} is not a JSON value")


def _identity(value):
    """A hashable stand-in for a JSON value: equal when the values are, 1 != 1.0 != true."""
    kind = type(value)
    if isinstance(value, list):
        return ("a", tuple(map(_identity, value)))
    if isinstance(value, dict):
        return ("o", frozenset((key, _identity(item)) for key, item in value.items()))
    return (kind.__name__, value)


# --- the functions -----------------------------------------------------------
# Each takes (scope, *arguments) and returns a JSON value or raises _Invalid.


def _format(scope, template, arguments, pieces=None):
    """States.Format('Hello {}', $.name). `pieces` is the pre-parsed literal template."""
    if pieces is None:
        pieces = _template(_string(template, "States.Format"))
    if pieces is _MALFORMED or len(pieces) != len(arguments) + 1:
        raise _Invalid("States.Format")
    if not arguments:
        return pieces[0]
    out = [pieces[0]]
    for argument, piece in zip(arguments, pieces[1:]):
        out.append(_java_text(argument))
        out.append(piece)
    return "".join(out)


_MALFORMED = ("malformed template",)


@functools.lru_cache(maxsize=1024)
def _template(text: str):
    """A template read at run time: the literal pieces around each `{}`."""
    if "{" not in text and "}" not in text:
        return (text,)
    pieces, start, i = [], 0, 0
    while i < len(text):
        char = text[i]
        if char == "{" and text.startswith("{}", i):
            pieces.append(text[start:i])
            i += 2
            start = i
        elif char in "{}":
            return _MALFORMED  # a lone brace, which AWS refuses at run time
        else:
            i += 1
    pieces.append(text[start:])
    return tuple(pieces)


def _string_to_json(scope, text):
    text = _string(text, "States.StringToJson").strip(_WHITESPACE)
    if not text:
        return None  # AWS turns "" and " " into null (intrinsic_string_to_json_01/02)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise _Invalid("States.StringToJson") from None


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _json_to_string(scope, value):
    return to_json(value)


def _array(scope, arguments):
    return arguments


def _array_partition(scope, array, size):
    size = _truncated(size, "States.ArrayPartition")
    if not isinstance(array, list) or size <= 0:
        raise _Invalid("States.ArrayPartition")
    return [array[i:i + size] for i in range(0, len(array), size)]


def _array_contains(scope, array, value):
    if not isinstance(array, list):
        raise _Invalid("States.ArrayContains")
    wanted = _java_text(value)
    return any(_java_text(item) == wanted for item in array)


def _array_range(scope, start, end, step):
    start = _truncated(start, "States.ArrayRange")
    end = _truncated(end, "States.ArrayRange")
    step = _truncated(step, "States.ArrayRange")
    if step == 0:
        raise _Invalid("States.ArrayRange")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > _MAX_RANGE:
        raise _Invalid("States.ArrayRange")
    return list(values)


def _array_get_item(scope, array, index):
    index = _truncated(index, "States.ArrayGetItem")
    if not isinstance(array, list) or not 0 <= index < len(array):
        raise _Invalid("States.ArrayGetItem")
    return array[index]


def _array_length(scope, array):
    if not isinstance(array, list):
        raise _Invalid("States.ArrayLength")
    return len(array)


def _array_unique(scope, array):
    if not isinstance(array, list):
        raise _Invalid("States.ArrayUnique")
    seen, unique = set(), []
    for item in array:
        identity = _identity(item)
        if identity not in seen:
            seen.add(identity)
            unique.append(item)
    return unique


def _utf8(text: str) -> bytes:
    # Java writes an unpaired surrogate as "?"; Python would refuse it
    return text.encode("utf-8", "replace")


def _base64_encode(scope, text):
    text = _string(text, "States.Base64Encode")
    if len(text) > _MAX_CHARS:
        raise _Invalid("States.Base64Encode")
    return base64.b64encode(_utf8(text)).decode("ascii")


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_]")


def _base64_decode(scope, text):
    # AWS's decoder is lenient, like Apache Commons Codec: characters outside
    # the alphabet are skipped, decoding stops at the first "=", and a short
    # last group yields what it can ('abc', 'ab==cd', ' YWJjZA== ' all decode).
    text = _string(text, "States.Base64Decode")
    if len(text) > _MAX_CHARS:
        raise _Invalid("States.Base64Decode")
    sextets = _NOT_BASE64.sub("", text.split("=", 1)[0]).replace("-", "+").replace("_", "/")
    usable = len(sextets) - (1 if len(sextets) % 4 == 1 else 0)
    sextets = sextets[:usable]
    try:
        raw = base64.b64decode(sextets + "=" * (-len(sextets) % 4))
    except (binascii.Error, ValueError):
        raise _Invalid("States.Base64Decode") from None
    return raw.decode("utf-8", "replace")


_HASHES = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def _hash(scope, value, algorithm):
    # AWS hashes a non-string value by its text rather than refusing it
    text = _java_text(value)
    digest = _HASHES.get(algorithm) if type(algorithm) is str else None
    if digest is None or len(text) > _MAX_CHARS:
        raise _Invalid("States.Hash")
    return digest(_utf8(text)).hexdigest()


def _json_merge(scope, first, second, deep):
    # Only the shallow merge exists: the third argument must be false.
    if not isinstance(first, dict) or not isinstance(second, dict) or deep is not False:
        raise _Invalid("States.JsonMerge")
    merged = dict(first)
    merged.update(second)
    return merged


def _math_random(scope, start, end, seed=None):
    start = _truncated(start, "States.MathRandom")
    end = _truncated(end, "States.MathRandom")
    if start >= end:
        raise _Invalid("States.MathRandom")
    if seed is _NO_SEED:
        return scope.random.randrange(start, end)
    return start + _JavaRandom(_truncated(seed, "States.MathRandom")).next_int(end - start)


_NO_SEED = object()


class _JavaRandom:
    """java.util.Random, so that a seed gives the same number on every run."""

    _MULTIPLIER, _MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        value = self._seed >> (48 - bits)
        return value - (1 << bits) if value >= 1 << (bits - 1) else value

    def next_int(self, bound: int) -> int:
        if bound > _INT_MAX:  # wider than Java's int: fall back on a long draw
            return random.Random(self._seed).randrange(bound)
        if bound & -bound == bound:
            return (bound * (self._next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self._next(31) & 0x7FFFFFFF
            value = bits % bound
            if bits - value + (bound - 1) <= _INT_MAX:
                return value


def _math_add(scope, a, b):
    if type(a) is not int:
        a = _rounded(a, "States.MathAdd")
    if type(b) is not int:
        b = _rounded(b, "States.MathAdd")
    total = a + b
    # Java ints: operands and sum must fit in 32 bits
    if _INT_MIN <= total <= _INT_MAX and _INT_MIN <= a <= _INT_MAX and _INT_MIN <= b <= _INT_MAX:
        return total
    raise _Invalid("States.MathAdd")


def _string_split(scope, text, delimiters):
    # java.util.StringTokenizer: every character of the second argument is a
    # delimiter and empty tokens are dropped ("a,,b" -> ["a", "b"]).
    text = _string(text, "States.StringSplit")
    delimiters = _string(delimiters, "States.StringSplit")
    if len(delimiters) == 1:
        return [token for token in text.split(delimiters) if token]
    if not delimiters:
        return [text] if text else []
    return [token for token in re.split("[" + re.escape(delimiters) + "]", text) if token]


def _uuid(scope):
    return str(uuid.UUID(int=scope.random.getrandbits(128), version=4))


class _Function:
    __slots__ = ("impl", "min_args", "max_args", "variadic")

    def __init__(self, impl, min_args, max_args, variadic=False):
        self.impl, self.min_args, self.max_args, self.variadic = impl, min_args, max_args, variadic


# One row per function: implementation, fewest and most arguments (None: any).
FUNCTIONS = {
    "States.Format": _Function(_format, 1, None, variadic=True),
    "States.StringToJson": _Function(_string_to_json, 1, 1),
    "States.JsonToString": _Function(_json_to_string, 1, 1),
    "States.Array": _Function(_array, 0, None, variadic=True),
    "States.ArrayPartition": _Function(_array_partition, 2, 2),
    "States.ArrayContains": _Function(_array_contains, 2, 2),
    "States.ArrayRange": _Function(_array_range, 3, 3),
    "States.ArrayGetItem": _Function(_array_get_item, 2, 2),
    "States.ArrayLength": _Function(_array_length, 1, 1),
    "States.ArrayUnique": _Function(_array_unique, 1, 1),
    "States.Base64Encode": _Function(_base64_encode, 1, 1),
    "States.Base64Decode": _Function(_base64_decode, 1, 1),
    "States.Hash": _Function(_hash, 2, 2),
    "States.JsonMerge": _Function(_json_merge, 3, 3),
    "States.MathRandom": _Function(_math_random, 2, 3),
    "States.MathAdd": _Function(_math_add, 2, 2),
    "States.StringSplit": _Function(_string_split, 2, 2),
    "States.UUID": _Function(_uuid, 0, 0),
}


# --- parsing -----------------------------------------------------------------
# call     := 'States.' NAME ws? '(' ws? (arg (ws? ',' ws? arg)*)? ws? ')'
# arg      := string | number | 'true' | 'false' | 'null' | path | call
# string   := "'" (char | '\' ("'" | '{' | '}' | '\'))* "'"
# number   := JSON number (ints stay ints)
# path     := '$' ... up to a ',' or ')' outside brackets: $, $.a[0], $$.Execution.Id, $var.x


_NAME = re.compile(r"States\.([A-Za-z0-9_]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None}
_ESCAPABLE = "'{}\\"


class _Literal:
    __slots__ = ("value", "template")

    def __init__(self, value, template=None):
        self.value = value
        self.template = template  # for a string: its pieces around `{}`, escapes honoured


class _PathArg:
    __slots__ = ("text", "path")

    def __init__(self, text, path):
        self.text, self.path = text, path


class _Call:
    __slots__ = ("name", "function", "args")

    def __init__(self, name, function, args):
        self.name, self.function, self.args = name, function, args


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.problems = []

    def fail(self, what, pos=None):
        pos = self.pos if pos is None else pos
        return IntrinsicSyntaxError(f"{what} at position {pos} of the intrinsic function call {self.text!r}")

    def skip_whitespace(self):
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def parse(self):
        call = self.call(depth=0)
        self.skip_whitespace()
        if self.pos != len(self.text):
            raise self.fail(f"Unexpected {self.text[self.pos:]!r} after the closing ')'")
        return call

    def call(self, depth):
        if depth > _MAX_DEPTH:
            raise self.fail(f"Intrinsic function calls nested more than {_MAX_DEPTH} deep")
        start = self.pos
        match = _NAME.match(self.text, start)
        if match is None:
            raise self.fail("Expected 'States.' and a function name")
        name = match.group(0)
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.fail(f"Unknown intrinsic function '{name}'", start)
        self.pos = match.end()
        self.skip_whitespace()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"Expected '(' after '{name}'")
        self.pos += 1
        args = []
        self.skip_whitespace()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                self.skip_whitespace()
                args.append(self.argument(depth))
                self.skip_whitespace()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                elif self.text.startswith(")", self.pos):
                    self.pos += 1
                    break
                elif self.pos >= len(self.text):
                    raise self.fail(f"Missing ')' to close '{name}('")
                else:
                    raise self.fail(f"Expected ',' or ')' in the arguments of '{name}'")
        if len(args) < function.min_args or (function.max_args is not None and len(args) > function.max_args):
            expected = (str(function.min_args) if function.min_args == function.max_args
                        else f"{function.min_args} or more" if function.max_args is None
                        else f"{function.min_args} to {function.max_args}")
            self.problems.append(f"{name} takes {expected} argument(s), not {len(args)} (at position {start})")
        return _Call(name, function, args)

    def argument(self, depth):
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise self.fail("Expected an argument")
        char = text[pos]
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if text.startswith("States.", pos):
            return self.call(depth + 1)
        if char == "-" or "0" <= char <= "9":
            return self.number()
        for word, value in _WORDS.items():
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                return _Literal(value)
        raise self.fail(f"Unexpected {char!r}: expected a string in single quotes, a number, "
                        "true, false, null, a path starting with '$' or a States. call")

    def string(self):
        text = self.text
        start = pos = self.pos + 1
        value = []
        pieces, piece, malformed = [], [], False
        while True:
            if pos >= len(text):
                raise self.fail("Unterminated string: missing the closing \"'\"", start - 1)
            char = text[pos]
            if char == "'":
                break
            if char == "\\":
                escaped = text[pos + 1:pos + 2]
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.fail(f"Invalid escape '\\{escaped}' in a string: only \\' \\{{ \\}} and \\\\ "
                                    "are allowed", pos)
                value.append(escaped)
                piece.append(escaped)  # an escaped brace is text, never a placeholder
                pos += 2
                continue
            if char == "{" and text.startswith("{}", pos):
                value.append("{}")
                pieces.append("".join(piece))
                piece = []
                pos += 2
                continue
            if char in "{}":
                malformed = True
            value.append(char)
            piece.append(char)
            pos += 1
        self.pos = pos + 1
        pieces.append("".join(piece))
        return _Literal("".join(value), _MALFORMED if malformed else tuple(pieces))

    def number(self):
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.fail("Invalid number")
        digits = match.group(0)
        self.pos = match.end()
        try:
            if match.group(1) is None and match.group(2) is None:
                return _Literal(int(digits))
            return _Literal(float(digits))
        except ValueError:
            raise self.fail(f"The number {digits[:20]}... is too long", match.start()) from None

    def path(self):
        text, start = self.text, self.pos
        pos, depth, quote = start, 0, None
        while pos < len(text):
            char = text[pos]
            if quote:
                if char == "\\":
                    pos += 1
                elif char == quote:
                    quote = None
            elif depth and char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (char == "," or char in _WHITESPACE):
                break
            pos += 1
        source = text[start:pos]
        try:
            path = compile_path(source)
        except PathSyntaxError as e:
            raise self.fail(f"Invalid JSONPath {source!r}: {e}", start) from None
        self.pos = pos
        return _PathArg(source, path)


# --- compiling the tree into closures ------------------------------------------


def _compile_node(node):
    if type(node) is _Literal:
        value = node.value
        return lambda data, scope: value
    if type(node) is _PathArg:
        return _compile_path(node)
    return _compile_call(node)


def _compile_path(node):
    path = node.path
    # A $$ path is reported against the state input, rewritten as '$.x'.
    field = node.text[1:] if node.text.startswith("$$") else node.text
    if path.root is DATA and path.definite:
        find = path.find

        def get(data, scope):
            try:
                return find(data)
            except PathNotFound:
                raise _Missing(field) from None

        return get

    def resolve(data, scope):
        try:
            return path.resolve(data, getattr(scope, "context", None), getattr(scope, "variables", None))
        except PathNotFound:
            raise _Missing(field) from None
        except RecursionError:
            raise
        except Exception:  # jsonpath-ng on data its filters cannot compare
            raise _Missing(field) from None

    return resolve


def _compile_call(node):
    name, function, impl = node.name, node.function, node.function.impl
    count = len(node.args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        def wrong_arity(data, scope):
            raise _Invalid(name)

        return wrong_arity
    args = [_compile_node(arg) for arg in node.args]
    if impl is _format:
        return _compile_format(node, args)
    if function.variadic:
        return lambda data, scope: impl(scope, [arg(data, scope) for arg in args])
    if impl is _math_random and count == 2:
        first, second = args
        return lambda data, scope: impl(scope, first(data, scope), second(data, scope), _NO_SEED)
    if count == 0:
        return lambda data, scope: impl(scope)
    if count == 1:
        (only,) = args
        return lambda data, scope: impl(scope, only(data, scope))
    if count == 2:
        first, second = args
        return lambda data, scope: impl(scope, first(data, scope), second(data, scope))
    first, second, third = args
    return lambda data, scope: impl(scope, first(data, scope), second(data, scope), third(data, scope))


def _compile_format(node, args):
    template, rest = args[0], args[1:]
    head = node.args[0]
    # A literal template was split at parse time, where escaped braces are known.
    pieces = head.template if type(head) is _Literal and head.template is not None else None
    return lambda data, scope: _format(scope, template(data, scope), [arg(data, scope) for arg in rest], pieces)


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> Intrinsic:
    parser = _Parser(text)
    try:
        tree = parser.parse()
    except RecursionError:
        raise IntrinsicSyntaxError(f"The intrinsic function call {text!r} is nested too deeply") from None
    return Intrinsic(text, tree.name, tuple(parser.problems), _compile_node(tree))
