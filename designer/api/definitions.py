"""Definitions as the API receives them: JSON text, checked by the engine's validator."""
from __future__ import annotations

import engine
from designer import payloads

from .errors import ApiError, constraint

MAX_DEFINITION = 1024 * 1024      # characters, as AWS's Definition shape
MAX_PAYLOAD = 256 * 1024          # bytes of UTF-8: execution input, task output
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
        return payloads.loads(text), None
    except ValueError as e:
        return None, f"The definition is not valid JSON: {e}"


def problems(text: str) -> list[engine.Problem]:
    value, error = parse_json(text)
    if error is not None:
        return [engine.Problem("", "INVALID_JSON_DESCRIPTION", error)]
    return engine.validate(value)


def check(text: str) -> None:
    """InvalidDefinition naming every error (code, message, JSON pointer), as AWS words it."""
    errors = [p for p in problems(text) if p.severity == "ERROR"]
    if errors:
        shown = ", ".join(f"'{p.code}: {p.message} at {p.path or '/'}'" for p in errors[:_MESSAGE_PROBLEMS])
        more = f" (and {len(errors) - _MESSAGE_PROBLEMS} more)" if len(errors) > _MESSAGE_PROBLEMS else ""
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {shown}{more}")


def read_payload(params, member: str, error_code: str, *, required=False, default=None) -> str | None:
    """Execution input or task output: JSON text of at most 256 KiB."""
    text = params.string(member, required=required, malformed=error_code)
    if text is None:
        return default
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD:
        raise ApiError(error_code, f"The {member} is {size} bytes: at most {MAX_PAYLOAD} bytes (256 KiB) of UTF-8 "
                                   "are allowed.")
    try:
        payloads.loads(text)
    except ValueError as e:
        label = "Execution Input" if error_code == "InvalidExecutionInput" else "Output"
        raise ApiError(error_code, f"Invalid State Machine {label}: '{e}'") from None
    return text
