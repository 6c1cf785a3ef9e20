"""Definitions as the API receives them: JSON text, checked by the engine's validator; and the
other JSON texts of a request."""
from __future__ import annotations

import engine
from designer import definitions as stored
from designer import payloads
from engine import serialize

from .errors import ApiError, constraint

MAX_DEFINITION = 1024 * 1024      # characters, as AWS's Definition shape
_MESSAGE_PROBLEMS = 20


def read(params, member="definition", *, required=True, malformed="InvalidDefinition") -> str | None:
    text = params.string(member, required=required, min_length=1, malformed=malformed)
    if text is not None and len(text) > MAX_DEFINITION:
        raise constraint(member, None, f"Member must have length less than or equal to {MAX_DEFINITION} "
                                       f"(the definition has {len(text)} characters)")
    return text


def parse_json(text: str):
    """The JSON value of a definition, or None (with the parser's message) when it is not JSON."""
    try:
        return payloads.loads(text, what="The definition"), None
    except ValueError as e:
        return None, str(e)


def problems(text: str, owner) -> list[engine.Problem]:
    """The problems of a definition's text for its owner (designer/definitions.py)."""
    value, error = parse_json(text)
    if error is not None:
        return [engine.Problem("", "INVALID_JSON_DESCRIPTION", error)]
    return stored.problems(value, owner)


def check(text: str, owner) -> None:
    """InvalidDefinition naming every error (code, message, JSON pointer), as AWS words it."""
    errors = [p for p in problems(text, owner) if p.severity == "ERROR"]
    if errors:
        shown = ", ".join(f"'{p.code}: {p.message} at {p.path or '/'}'" for p in errors[:_MESSAGE_PROBLEMS])
        more = f" (and {len(errors) - _MESSAGE_PROBLEMS} more)" if len(errors) > _MESSAGE_PROBLEMS else ""
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {shown}{more}")


def read_payload(params, member: str, error_code: str, *, default=None):
    """The JSON value of a member holding JSON text (TestState's input, variables, context), checked
    as AWS checks an execution's input (engine.serialize.read_payload); `default` when absent."""
    text = params.string(member, malformed=error_code)
    if text is None:
        return default
    try:
        return serialize.read_payload(text, error=error_code, what=f"The {member}")
    except serialize.InvalidPayload as e:
        raise ApiError(e.error, str(e)) from None
