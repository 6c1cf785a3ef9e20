"""JSONata expressions (`"{% ... %}"`) as AWS Step Functions evaluates them.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

An expression is parsed once (cached) by jsonata-python. The common simple
forms (paths from `$states` or a variable, literals, arithmetic, comparisons,
`and`/`or`, `&`, `? :`) are compiled into Python closures with JSONata's exact
semantics; anything else, and any case those closures are unsure of (a path
step that meets an array, an unknown variable, ...), is evaluated by
jsonata-python. Either way the result is plain JSON (dict, list, str, int,
float, bool, None) or UNDEFINED, and every failure is a
`States.QueryEvaluationError` with AWS's cause, never a Python exception.

One module per concern; each writes down what AWS does where its
documentation is silent, for the part it implements:

- expressions: what is an expression, parsing it, its value, AWS's causes.
- templates: Arguments/Output/Assign/... values with expressions inside.
- bridge: JSON values in and out of jsonata-python, its errors in
  jsonata-js's words.
- evaluation: one evaluation by jsonata-python, and its bounds
  (evaluation.EVALUATION_TIMEOUT_MS, evaluation.EVALUATION_MAX_DEPTH).
- functions: the functions Step Functions adds ($partition, $range, ...).
- fast: the compiled subset.

Importing this package imports jsonata-python, so the engine imports it only
for a machine or state that uses JSONata (engine.dataflow.jsonata()).
"""
from __future__ import annotations

from .bridge import UNDEFINED, js_number
# The compiled closures' two signals, which the tests catch by these names.
from .bridge import Failure as _Failure  # noqa: F401
from .bridge import Fallback as _Fallback  # noqa: F401
from .expressions import (
    Expression,
    JsonataSyntaxError,
    check_type,
    compile_expression,
    is_expression,
    json_type,
    undefined_error,
)
from .templates import compile_template

__all__ = [
    "UNDEFINED",
    "Expression",
    "JsonataSyntaxError",
    "check_type",
    "compile_expression",
    "compile_template",
    "is_expression",
    "js_number",
    "json_type",
    "undefined_error",
]

