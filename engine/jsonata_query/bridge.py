"""The boundary with jsonata-python: JSON values in and out, its errors in jsonata-js's words.

jsonata-python is a port of jsonata-js, the library AWS runs, and differs
from it at this boundary only; everything that crosses it passes here.

- JSON null is jsonata's null, not undefined, wherever it sits in the input
  or in a variable (`$v = null` is true for a null variable): jsonata-python
  spells null NULL_VALUE, and its None means undefined (UNDEFINED here).
- A result comes back as plain JSON (dict, list, str, int, float, bool,
  None) or UNDEFINED; a function in it is an unsupported result type.
- An error reads as jsonata-js writes it: JSONata's code, a colon, and the
  message, whose `{{value}}` placeholders are JSON texts (`Argument 1 of
  function "sum" ...`, floci issue #2668). jsonata-python's plain Python
  exceptions (its own bugs) become "<Type>: <text>", without a code.
"""
from __future__ import annotations

import json
import math
import re

import jsonata
from jsonata import jexception, utils
from jsonata.jsonata import Jsonata

from ..regex import LinearPattern
from ..serialize import to_json


class _Undefined:
    """JSONata's `undefined`: what an expression returns when it selects nothing."""

    __slots__ = ()

    def __repr__(self):
        return "UNDEFINED"

    def __bool__(self):
        return False


UNDEFINED = _Undefined()

NULL = utils.Utils.NULL_VALUE  # jsonata-python's JSON null (its None means undefined)


# --- errors: jsonata-js's messages ------------------------------------------------

# jsonata-python's catalogue, with the word "function" restored where the port
# wrote "Object" (jsonata-js v2 says `Argument 1 of function "sum" ...`).
MESSAGES = {code: re.sub(r"\bObject\b", "function", text) for code, text in jexception.JException.error_codes.items()}
MESSAGES["T1005"] = "Attempted to invoke a non-function. Did you mean ${{{token}}}?"
MESSAGES["T1007"] = "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"
_ARRAY_TYPES = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_CODE = re.compile(r"^[SDT]\d{4}$")
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def describe(e: jexception.JException) -> tuple[str | None, str]:
    """(code, message) the way jsonata-js renders them: `{{x}}` as JSON text, `{{{x}}}` as is."""
    code = str(e.error)
    if not _CODE.match(code):
        return None, code  # raised with a message instead of a code
    template = MESSAGES.get(code)
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
        return js_json(value)

    return code, _PLACEHOLDER.sub(fill, template)


def describe_python(e: Exception) -> tuple[str | None, str]:
    """jsonata-python sometimes fails with a plain Python exception: say what jsonata-js says."""
    text = str(e)
    if isinstance(e, ValueError) and "convert" in text and "float" in text:
        found = re.search(r"'(.*)'", text)
        return "D3030", "Unable to cast value to a number: " + js_json(found.group(1) if found else text)
    if isinstance(e, OverflowError):
        return "D1001", "Number out of range: null"
    return None, f"{type(e).__name__}: {text}" if text else type(e).__name__


def js_json(value) -> str:
    """JSON.stringify(value) as jsonata-js puts it in a message."""
    if value is None:
        return "undefined"
    if value is NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    try:
        return to_json(from_jsonata(value, top=False))
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


class Failure(Exception):
    """A JSONata error found by the compiled closures (same code and message as jsonata-python's)."""

    def __init__(self, code: str, *args):
        self.code = code
        self.message = describe(jexception.JException(code, -1, *args))[1]


class Fallback(Exception):
    """The compiled closure cannot decide this case: evaluate with jsonata-python."""


FALLBACK = Fallback()


class Unsupported(Exception):
    """The result is a function: AWS's "returned an unsupported result type"."""


# --- values in and out of jsonata-python -------------------------------------


def to_jsonata(value):
    """JSON null becomes jsonata-python's NULL_VALUE (its None is `undefined`); copies only what changes."""
    if value is None:
        return NULL
    if type(value) is dict:
        converted = None
        for key, item in value.items():
            if isinstance(item, (dict, list)) or item is None:
                new = to_jsonata(item)
                if new is not item:
                    if converted is None:
                        converted = dict(value)
                    converted[key] = new
        return value if converted is None else converted
    if type(value) is list:
        converted = None
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)) or item is None:
                new = to_jsonata(item)
                if new is not item:
                    if converted is None:
                        converted = list(value)
                    converted[i] = new
        return value if converted is None else converted
    return value


def from_jsonata(value, top: bool):
    """jsonata-python's result as plain JSON; UNDEFINED for nothing; functions are unsupported."""
    if value is None:
        return UNDEFINED if top else None
    if value is NULL:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Failure("D1001", value)
        return value
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None or _is_function(item):  # JSON.stringify drops them
                continue
            result[key] = from_jsonata(item, False)
        return result
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        if isinstance(value, utils.Utils.RangeList):
            value = list(range(value.a, value.b + 1))
        if top and utils.Utils.is_sequence(value) and len(value) == 1 and not value.keep_singleton:
            return from_jsonata(value[0], True)
        return [None if item is None or _is_function(item) else from_jsonata(item, False) for item in value]
    if _is_function(value) or top:
        raise Unsupported()
    return None


def _is_function(value) -> bool:
    return isinstance(value, (Jsonata.JFunctionCallable, jsonata.parser.Parser.Symbol, re.Pattern, LinearPattern)) \
        or callable(value)
