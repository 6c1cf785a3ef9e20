"""Intrinsic functions (`States.Format(...)` and friends) as Step Functions runs them.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

A call is parsed once (cached) into a tree of closures; evaluating it walks
no text, copies no input and mutates nothing. Each function is one row of
FUNCTIONS: its implementation and how many arguments it takes.

One module per concern; each writes down what AWS does where its
documentation is silent, for the part it implements (every point was
observed on AWS by the sources it names, and is pinned by
tests/engine/test_intrinsics.py):

- parser: the grammar of a call, and IntrinsicSyntaxError.
- compiler: Intrinsic, the compiled call, and compile_intrinsic().
- functions: the 18 functions (FUNCTIONS) and how they read numbers.
- failures: a failing call's States.Runtime and its cause.
- text: JSON values printed as Java prints them (States.Format,
  States.JsonToString, the input quoted in a cause).
"""
from __future__ import annotations

from .compiler import Intrinsic, compile_intrinsic
from .failures import FAILURE
from .functions import FUNCTIONS
from .parser import IntrinsicSyntaxError, is_intrinsic
from .text import to_json

__all__ = [
    "FAILURE",
    "FUNCTIONS",
    "Intrinsic",
    "IntrinsicSyntaxError",
    "compile_intrinsic",
    "is_intrinsic",
    "to_json",
]
