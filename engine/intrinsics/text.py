"""JSON values as text, the way Step Functions' Java runtime writes them.

- States.Format prints a non-string argument the way Java's toString does:
  `{Arg1=1, Arg2=[]}`, `[1, 2]`, `null` (conformance cases
  intrinsic_format_2_08, intrinsic_context_json_path); States.ArrayContains
  and States.Hash use the same text.
- States.JsonToString, and the input quoted in a failure's cause, are
  compact JSON as Jackson writes it: {"a":1,"b":[1.5,"x"]}, a float always
  with a fraction or an exponent (1.0, 1.0E7).
(Pinned by tests/engine/test_intrinsics.py.)
"""
from __future__ import annotations

import math

# The whitespace AWS skips between a call's arguments and trims from
# States.StringToJson's input.
WHITESPACE = " \t\n\r"


def java_double(value: float) -> str:
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
    from decimal import Decimal  # only numbers outside 1e-3..1e7 need it

    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    power = exponent + len(digits) - 1  # value = d.ddd x 10^power
    digits = "".join(map(str, digits)).rstrip("0") or "0"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return ("-" if sign else "") + mantissa + "E" + str(power)


def java_text(value) -> str:
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
        return java_double(value)
    if kind is list or isinstance(value, list):
        return "[" + ", ".join(map(java_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_text(item)}" for key, item in value.items()) + "}"
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
        return java_double(value)
    if isinstance(value, list):
        return "[" + ",".join(map(to_json, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_json_string(str(key)) + ":" + to_json(item) for key, item in value.items()) + "}"
    raise TypeError(f"{kind.__name__} is not a JSON value")
