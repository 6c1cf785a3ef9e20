"""How a call fails: the reasons found while evaluating, and the States.Runtime they become.

- A failing call is `States.Runtime` (never caught by States.ALL) with the
  cause "The function '<the whole expression, as written>' had the following
  error: <reason>". The interpreter prefixes it with "An error occurred while
  executing the state ...", as for any other States.Runtime of a state.
  Reasons: "Invalid arguments in States.X", or, for a JSONPath argument that
  matches nothing, "The JsonPath argument for the field '$.x' could not be
  found in the input '<state input as compact JSON>'". (Recorded from AWS by
  the floci project's StepFunctionsIntrinsicMissingArgumentIntegrationTest;
  pinned by tests/engine/test_intrinsics.py.)
"""
from __future__ import annotations

from .. import errors
from .text import to_json

# The error a failing call raises. AWS reports States.Runtime, not the
# States.IntrinsicFailure its error-name list suggests (see the docstring).
FAILURE = errors.Runtime


class Failure(Exception):
    """Raised inside a call; Intrinsic.evaluate turns it into FAILURE with reason() as the cause's tail."""

    def reason(self, data) -> str:
        raise NotImplementedError


class Invalid(Failure):
    """An argument a function cannot take, or the wrong number of them."""

    def __init__(self, name):
        self.name = name

    def reason(self, data):
        return f"Invalid arguments in {self.name}"


class Missing(Failure):
    """A path argument that matches nothing in the state input (or context, or variables)."""

    def __init__(self, field):
        self.field = field

    def reason(self, data):
        try:
            text = to_json(data)
        except (ValueError, TypeError, RecursionError):
            text = str(data)
        return f"The JsonPath argument for the field '{self.field}' could not be found in the input '{text}'"
