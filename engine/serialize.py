"""JSON text as Step Functions reads and writes it: compact, UTF-8, no escaping of non-ASCII;
the 256 KiB payload limit and the nesting limit.

read_payload() is the one check of a JSON text that comes from outside (an execution input, a
task's result, an output): JSON, at most 256 KiB, no NaN or Infinity, no lone surrogates, at most
MAX_DEPTH levels deep. AWS documents no nesting limit; Statelight sets one so that no document
can exhaust Python's recursion (its limit is 1,000 frames) wherever the engine walks JSON.
"""
from __future__ import annotations

import json
import math

# Step Functions' limit on any state's input or output and on task results.
PAYLOAD_LIMIT = 256 * 1024
# Arrays and objects inside one another, at most (Statelight's own limit, see above).
MAX_DEPTH = 500

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# JSONEncoder.encode builds a C encoder on every call; the size check runs on
# hot paths, so it keeps one (same options as _encoder).
_chunks = json.encoder.c_make_encoder(
    None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, False)


class NestingTooDeep(ValueError):
    """A JSON value nested more than MAX_DEPTH levels deep."""


def to_json(value) -> str:
    try:
        return _encoder.encode(value)
    except RecursionError:
        raise NestingTooDeep(f"The JSON value is nested more than {MAX_DEPTH} levels deep.") from None


def size_in_bytes(value) -> int:
    """The UTF-8 size of the value's JSON text, the measure of the 256 KiB limit."""
    if isinstance(value, str):
        text = json.encoder.encode_basestring(value)
    else:
        try:
            text = "".join(_chunks(value, 0))
        except RecursionError:
            raise NestingTooDeep(f"The JSON value is nested more than {MAX_DEPTH} levels deep.") from None
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def depth_of(value, limit=MAX_DEPTH) -> int:
    """How many arrays and objects deep `value` is (0 for a scalar), counted level by level without
    recursion; stops counting past `limit` (returns limit + 1)."""
    level, depth = [value], 0
    while True:
        level = [node for node in level if isinstance(node, (dict, list))]
        if not level:
            return depth
        depth += 1
        if depth > limit:
            return depth
        level = [item for node in level for item in (node.values() if isinstance(node, dict) else node)]


class InvalidPayload(ValueError):
    """A JSON text refused by read_payload(); `error` is AWS's name for the refusal."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error


def read_payload(text: str, *, error: str = "InvalidExecutionInput", what: str = "The execution input",
                 limit: int | None = PAYLOAD_LIMIT, surrogates: bool = False):
    """The JSON value of a payload from outside, checked as AWS checks StartExecution's and
    StartSyncExecution's input (and SendTaskSuccess's output, with error="InvalidOutput").
    Raises InvalidPayload(error, message) naming what is wrong and where. `surrogates=True` lets
    escaped lone surrogates through, for a reader that refuses them with errors of its own (the
    AWS API's request body: each member has its error for a malformed value)."""
    if not isinstance(text, str):
        raise InvalidPayload(error, f"{what} must be a JSON text, not {type(text).__name__}.")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise InvalidPayload(error, f"{what} holds a lone surrogate (\\u{ord(text[e.start]):04x}) at character "
                                    f"{e.start}: it is not UTF-8.") from None
    if limit is not None and size > limit:
        raise InvalidPayload(error, f"{what} is {size:,} bytes: the limit is {limit:,} bytes (UTF-8).")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise InvalidPayload(error, f"{what} is nested more than {MAX_DEPTH} levels deep.") from None
    except json.JSONDecodeError as e:
        raise InvalidPayload(error, f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}.") \
            from None
    except ValueError as e:  # NaN, Infinity, a number out of range
        raise InvalidPayload(error, f"{what} is not valid JSON: {e}.") from None
    if depth_of(value) > MAX_DEPTH:
        raise InvalidPayload(error, f"{what} is nested more than {MAX_DEPTH} levels deep.")
    if "\\u" in text and not surrogates:
        _refuse_escaped_surrogates(value, error, what)
    return value


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _refuse_escaped_surrogates(value, error, what):
    """An escaped lone surrogate ("\\ud800") parses into a string no UTF-8 text can hold."""
    try:
        to_json(value).encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidPayload(error, f"{what} holds a lone surrogate (\\u{ord(e.object[e.start]):04x}): "
                                    "a \\u escape of half a UTF-16 pair is not a character.") from None
