"""The limits that keep one workflow from taking the server down, AWS's quotas where AWS has one.
https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html

- A STANDARD execution fails at 25,000 history events (AWS's quota).
- An EXPRESS execution times out after 5 minutes (AWS's quota), checked by the engine while it
  works, not only while it waits; STATELIGHT_EXPRESS_MAX_SECONDS sets it lower (tests).
- AWS keeps no history for EXPRESS executions. One started with StartExecution keeps its first
  EXPRESS_HISTORY_EVENTS events (for the viewer) and its closing event, numbered right after
  them; one started with StartSyncExecution keeps none.
- The runtime advances an execution by a slice of work per turn (a budget of units: a state run,
  or a branch or iteration launched), stores it, and turns to the others: an execution that never
  blocks gets a slice per round like any other, and holds the database only while its slice is
  stored. A slice is sized to take about SLICE_SECONDS: its budget starts at FIRST_SLICE units,
  doubles while slices are quick, up to SLICE, and halves when one takes longer (states whose
  expressions are slow).
"""
from __future__ import annotations

from django.conf import settings

HISTORY_LIMIT = 25_000
EXPRESS_MAX_SECONDS = 300
EXPRESS_HISTORY_EVENTS = 1_000
SLICE = 1_000
FIRST_SLICE = 100
SLICE_SECONDS = 0.05


def next_budget(budget: int, seconds: float) -> int:
    """The budget of an execution's next slice, after one of `budget` units took `seconds`."""
    if seconds > SLICE_SECONDS:
        return max(1, budget // 2)
    if seconds < SLICE_SECONDS / 4:
        return min(SLICE, budget * 2)
    return budget


def express_max_seconds() -> float:
    return float(getattr(settings, "STATELIGHT_EXPRESS_MAX_SECONDS", EXPRESS_MAX_SECONDS))
