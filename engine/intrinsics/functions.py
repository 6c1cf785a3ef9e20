"""The 18 intrinsic functions, one row of FUNCTIONS each.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

What AWS does where its documentation is silent (each point was observed on
AWS by the sources named, and is pinned by tests/engine/test_intrinsics.py):

- Numbers are converted the Java way: MathAdd rounds half up (Math.round:
  1.5 -> 2, -1.5 -> -1, conformance cases intrinsic_math_add_*); the other
  functions truncate toward zero (ArrayPartition(a, 2.6) uses 2,
  ArrayGetItem(a, 1.2) uses 1, MathRandom(1.6, 5.4) can return 1).
- States.ArrayContains compares the toString texts of text.py: key order
  matters for objects and `true` matches "true" (observed on AWS).
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re

from .failures import Invalid
from .text import WHITESPACE, java_text, to_json

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_MAX_CHARS = 10_000  # Base64Encode, Base64Decode and Hash inputs
_MAX_RANGE = 1_000  # ArrayRange results


# --- argument helpers ------------------------------------------------------------


def _truncated(value, name) -> int:
    """A number as Java's (int) cast sees it: fractions dropped toward zero."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    raise Invalid(name)


def _rounded(value, name) -> int:
    """A number as Java's Math.round sees it: halves go up (-1.5 -> -1)."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        floor = math.floor(value)
        return floor + 1 if value - floor >= 0.5 else floor
    raise Invalid(name)


def _string(value, name) -> str:
    if type(value) is str:
        return value
    raise Invalid(name)


def _identity(value):
    """A hashable stand-in for a JSON value: equal when the values are, 1 != 1.0 != true."""
    kind = type(value)
    if isinstance(value, list):
        return ("a", tuple(map(_identity, value)))
    if isinstance(value, dict):
        return ("o", frozenset((key, _identity(item)) for key, item in value.items()))
    return (kind.__name__, value)


# --- the functions -----------------------------------------------------------
# Each takes (scope, *arguments) and returns a JSON value or raises Invalid.


def _format(scope, template, arguments, pieces=None):
    """States.Format('Hello {}', $.name). `pieces` is the pre-parsed literal template."""
    if pieces is None:
        pieces = _template(_string(template, "States.Format"))
    if pieces is MALFORMED or len(pieces) != len(arguments) + 1:
        raise Invalid("States.Format")
    if not arguments:
        return pieces[0]
    out = [pieces[0]]
    for argument, piece in zip(arguments, pieces[1:]):
        out.append(java_text(argument))
        out.append(piece)
    return "".join(out)


MALFORMED = ("malformed template",)


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
            return MALFORMED  # a lone brace, which AWS refuses at run time
        else:
            i += 1
    pieces.append(text[start:])
    return tuple(pieces)


def _string_to_json(scope, text):
    text = _string(text, "States.StringToJson").strip(WHITESPACE)
    if not text:
        return None  # AWS turns "" and " " into null (intrinsic_string_to_json_01/02)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise Invalid("States.StringToJson") from None


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _json_to_string(scope, value):
    return to_json(value)


def _array(scope, arguments):
    return arguments


def _array_partition(scope, array, size):
    size = _truncated(size, "States.ArrayPartition")
    if not isinstance(array, list) or size <= 0:
        raise Invalid("States.ArrayPartition")
    return [array[i:i + size] for i in range(0, len(array), size)]


def _array_contains(scope, array, value):
    if not isinstance(array, list):
        raise Invalid("States.ArrayContains")
    wanted = java_text(value)
    return any(java_text(item) == wanted for item in array)


def _array_range(scope, start, end, step):
    start = _truncated(start, "States.ArrayRange")
    end = _truncated(end, "States.ArrayRange")
    step = _truncated(step, "States.ArrayRange")
    if step == 0:
        raise Invalid("States.ArrayRange")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > _MAX_RANGE:
        raise Invalid("States.ArrayRange")
    return list(values)


def _array_get_item(scope, array, index):
    index = _truncated(index, "States.ArrayGetItem")
    if not isinstance(array, list) or not 0 <= index < len(array):
        raise Invalid("States.ArrayGetItem")
    return array[index]


def _array_length(scope, array):
    if not isinstance(array, list):
        raise Invalid("States.ArrayLength")
    return len(array)


def _array_unique(scope, array):
    if not isinstance(array, list):
        raise Invalid("States.ArrayUnique")
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
        raise Invalid("States.Base64Encode")
    return base64.b64encode(_utf8(text)).decode("ascii")


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_]")


def _base64_decode(scope, text):
    # AWS's decoder is lenient, like Apache Commons Codec: characters outside
    # the alphabet are skipped, decoding stops at the first "=", and a short
    # last group yields what it can ('abc', 'ab==cd', ' YWJjZA== ' all decode).
    text = _string(text, "States.Base64Decode")
    if len(text) > _MAX_CHARS:
        raise Invalid("States.Base64Decode")
    sextets = _NOT_BASE64.sub("", text.split("=", 1)[0]).replace("-", "+").replace("_", "/")
    usable = len(sextets) - (1 if len(sextets) % 4 == 1 else 0)
    sextets = sextets[:usable]
    try:
        raw = base64.b64decode(sextets + "=" * (-len(sextets) % 4))
    except (binascii.Error, ValueError):
        raise Invalid("States.Base64Decode") from None
    return raw.decode("utf-8", "replace")


# algorithm -> hashlib's name (hashlib is imported when a hash is asked for)
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(scope, value, algorithm):
    import hashlib

    # AWS hashes a non-string value by its text rather than refusing it
    text = java_text(value)
    digest = _HASHES.get(algorithm) if type(algorithm) is str else None
    if digest is None or len(text) > _MAX_CHARS:
        raise Invalid("States.Hash")
    return hashlib.new(digest, _utf8(text)).hexdigest()


def _json_merge(scope, first, second, deep):
    # Only the shallow merge exists: the third argument must be false.
    if not isinstance(first, dict) or not isinstance(second, dict) or deep is not False:
        raise Invalid("States.JsonMerge")
    merged = dict(first)
    merged.update(second)
    return merged


def _math_random(scope, start, end, seed=None):
    start = _truncated(start, "States.MathRandom")
    end = _truncated(end, "States.MathRandom")
    if start >= end:
        raise Invalid("States.MathRandom")
    if seed is NO_SEED:
        return scope.random.randrange(start, end)
    return start + _JavaRandom(_truncated(seed, "States.MathRandom")).next_int(end - start)


NO_SEED = object()


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
            import random

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
    raise Invalid("States.MathAdd")


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
    import uuid

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
