"""What the validator reports, and where it collects it.

A Problem is one diagnostic in the shape of Step Functions'
ValidateStateMachineDefinition: a location (here always an RFC 6901 JSON
pointer into the definition), a code (AWS's own where AWS has one), a message
that names the state and says how to fix it, and a severity.
"""
from __future__ import annotations


ERROR = "ERROR"
WARNING = "WARNING"

# AWS's diagnostic codes (API reference, ValidateStateMachineDefinitionDiagnostic),
# plus the two JSONata codes AWS answers with at CreateStateMachine.
SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_RESOURCE = "INVALID_RESOURCE"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"
INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"
# Warnings AWS documents.
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"
# Statelight's own, where AWS has no code.
UNREACHABLE_STATE = "UNREACHABLE_STATE"            # warning: targeted, but only from states nothing reaches
INTERNAL_VALIDATOR_ERROR = "INTERNAL_VALIDATOR_ERROR"  # a bug in the validator, never a user mistake

# The start of the message for a state that has neither "Next" nor "End", so
# the designer can recognise it and offer its one-click fix.
NEITHER_NEXT_NOR_END = "has neither 'Next' nor 'End'"


class Problem:
    """path: a JSON pointer, RFC 6901 escaping ("~0", "~1"), e.g. "/States/Bake/Next"; code: AWS's
    where AWS has one, e.g. "SCHEMA_VALIDATION_FAILED"; message: what is wrong and how to fix it,
    naming the state; severity: ERROR or WARNING. Compared by value."""

    __slots__ = ("path", "code", "message", "severity")

    def __init__(self, path: str, code: str, message: str, severity: str = ERROR):
        self.path, self.code, self.message, self.severity = path, code, message, severity

    def _key(self):
        return self.path, self.code, self.message, self.severity

    def __eq__(self, other):
        return type(other) is Problem and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"Problem(path={self.path!r}, code={self.code!r}, message={self.message!r}, severity={self.severity!r})"

    def to_dict(self) -> dict:
        return {"path": self.path, "code": self.code, "message": self.message, "severity": self.severity}


def pointer(parent: str, *tokens) -> str:
    """Extend a JSON pointer by reference tokens (str keys or int indexes)."""
    out = parent
    for token in tokens:
        out += "/" + str(token).replace("~", "~0").replace("/", "~1")
    return out


class Report:
    """Collects problems in the order they are found."""

    __slots__ = ("problems",)

    def __init__(self):
        self.problems: list[Problem] = []

    def error(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message, ERROR))

    def schema(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, SCHEMA_VALIDATION_FAILED, message, ERROR))

    def warning(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message, WARNING))


def show(value, limit: int = 60) -> str:
    """A short, safe rendering of a JSON value for a message."""
    try:
        if isinstance(value, str):
            text = repr(value)
        elif value is None:
            text = "null"
        elif value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif isinstance(value, (int, float)):
            text = repr(value) if abs(value) < 10 ** 30 or isinstance(value, float) else "a very large number"
        elif isinstance(value, dict):
            text = "an object"
        elif isinstance(value, list):
            text = "an array"
        else:
            text = type(value).__name__
    except Exception:  # hostile values (e.g. giant ints): never fail on a message
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind(value) -> str:
    """The JSON type name of a value, as messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
