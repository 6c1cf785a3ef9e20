"""One JSONata expression: what counts as one, parsing it once, and its value.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

`evaluate()` runs the compiled closure (fast.py) when there is one and
defers to jsonata-python (evaluation.py) for anything the closure cannot
decide. What AWS does, where its documentation is silent:

- A field value is an expression when the string starts with "{%" and ends
  with "%}", exactly: " {% x %} " is a plain string (conformance case
  jsonata_base_cases_literals). Causes quote the text between the
  delimiters, trimmed ('$doesNotExist', variables_undefined_reference_*).
- Causes: "The JSONata expression '<expr>' specified for the field '<field>'
  returned nothing (undefined)." / "... returned an unsupported result type."
  (a function) / "... returned an unexpected result type. Expected 'array',
  but was 'number' for value: 1" (map_state_items_eval_jsonata_*) / "...
  threw an error during evaluation. T1006: Attempted to invoke a
  non-function" (LocalStack's recording of `$randomSeeded(...)`), the code
  and message as bridge.py words them.
- No NaN or Infinity ever leaves an expression: an arithmetic result that
  is not a finite number fails with D1001 "Number out of range: null", the
  way jsonata-js fails as soon as such a value is used. (Open question:
  floci issue #2737 reports that AWS returns *a value* when the whole
  result is non-finite, e.g. `1/0`; which value is not recorded.)
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping

from jsonata import jexception
from jsonata.jsonata import Jsonata

from .. import errors
from ..serialize import to_json
from . import evaluation
from .bridge import (
    MESSAGES,
    UNDEFINED,
    Failure,
    Fallback,
    Unsupported,
    describe,
    describe_python,
    from_jsonata,
)
from .fast import compile_fast
from .regexes import regex_engine


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
            self._parsed = Jsonata(source, regex_engine)
        except jexception.JException as e:
            code, message = describe(e)
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
        compiled = compile_fast(self._parsed.ast)
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
            except (Fallback, RecursionError):
                pass
            except Failure as failure:
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
            raw = evaluation.run(self._parsed, states, variables, random)
        except jexception.JException as e:
            code, message = describe(e)
            raise self._error(field, code, message) from None
        except RecursionError:
            raise self._error(field, "D1011", MESSAGES["D1011"]) from None
        except ZeroDivisionError:
            # jsonata-js divides to Infinity, which fails as soon as it is used
            raise self._error(field, "D1001", "Number out of range: null") from None
        except Exception as e:  # jsonata-python's plain Python failures
            code, message = describe_python(e)
            raise self._error(field, code, message) from None
        try:
            return from_jsonata(raw, top=True)
        except RecursionError:
            raise self._error(field, "D1011", MESSAGES["D1011"]) from None
        except Unsupported:
            raise errors.QueryEvaluationError(
                f"The JSONata expression '{self.source}' specified for the field '{field}' "
                "returned an unsupported result type.") from None
        except Failure as failure:
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
