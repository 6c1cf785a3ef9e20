"""One evaluation by jsonata-python, bounded so that a runaway expression fails.

- An evaluation is bounded: EVALUATION_TIMEOUT_MS (D1012) and
  EVALUATION_MAX_DEPTH nested evaluations (D1011), and a Python
  RecursionError is D1011 too (expressions.Expression.evaluate_slow), so an
  expression can neither hang the worker nor overflow the stack.
- $now() and $millis() read the wall clock at the start of the evaluation.
- The functions Step Functions adds are bound in every evaluation, and the
  ones that draw ($random(), $uuid()) draw from the execution's randomness.
"""
from __future__ import annotations

import time

from jsonata import timebox
from jsonata.jsonata import Jsonata

from .bridge import NULL, to_jsonata
from .functions import DIALECT, per_thread

# Read at each evaluation, so setting them here takes effect at once (the tests do).
EVALUATION_TIMEOUT_MS = 5_000
EVALUATION_MAX_DEPTH = 300

_conversions: dict = {}  # id(value) -> (value, converted): the engine never mutates a JSON value


def _converted(value):
    if value is None:
        return NULL
    if not isinstance(value, (dict, list)):
        return value
    key = id(value)
    hit = _conversions.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    converted = to_jsonata(value)
    if len(_conversions) > 64:
        _conversions.clear()
    _conversions[key] = (value, converted)
    return converted


def run(parsed: Jsonata, states: dict, variables, random):
    """jsonata-python's raw result for `$states` and the variables; raises what jsonata-python raises."""
    frame = Jsonata.Frame(None)
    bind = frame.bindings
    for name, item in variables.items():
        bind[name] = _converted(item)
    bind["states"] = {key: _converted(item) for key, item in states.items()}
    bind.update(DIALECT)
    timebox.Timebox(frame, EVALUATION_TIMEOUT_MS, EVALUATION_MAX_DEPTH)
    previous = getattr(per_thread, "random", None), getattr(per_thread, "deadline", None)
    per_thread.random = random
    # regular expressions look at it between matches (regexes.py): a match is not an evaluation step
    per_thread.deadline = (time.monotonic() + EVALUATION_TIMEOUT_MS / 1000, EVALUATION_TIMEOUT_MS)
    # $now() and $millis() read the thread's instance, which evaluate() does not refresh
    parsed.get_per_thread_instance().timestamp = timebox.Timebox.current_milli_time()
    try:
        return parsed.evaluate(None, frame)
    finally:
        per_thread.random, per_thread.deadline = previous
