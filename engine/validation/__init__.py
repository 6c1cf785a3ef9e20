"""The ASL validator: every problem in a definition, as AWS reports them.

`validate(definition)` returns a list of `Problem`s (empty when the
definition is one AWS Step Functions would accept); it never raises.
The modules: `machine` (top level, scopes and the graph), `states` (one
state's fields, Next/End), `choice` (Choice rules),
`expressions` (JSONPath, intrinsics, payload templates, JSONata, Assign),
`retry_catch` (Retry and Catch), `problems` (the Problem type and AWS's codes).
"""
from .machine import validate
from .problems import ERROR, NEITHER_NEXT_NOR_END, WARNING, Problem

__all__ = ["validate", "Problem", "ERROR", "WARNING", "NEITHER_NEXT_NOR_END"]
