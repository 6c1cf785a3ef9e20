"""Helpers that play the runtime's part for engine tests: answer effects by hand."""
import json

import engine
from engine import Execution
from engine.effects import Cancel, InvokeTask, StartTimer


def answer_tasks(ex, step, answer, fire_timers=True):
    """Answer every task with answer(effect) -> ("ok", result) | ("fail", error, cause)
    and fire timers in due order, until the execution ends or nothing is pending."""
    pending = list(step.effects)
    events = list(step.events)
    while pending and ex.status == "RUNNING":
        tasks = [e for e in pending if isinstance(e, InvokeTask)]
        effect = tasks[0] if tasks else min((e for e in pending if isinstance(e, StartTimer)), key=lambda e: e.due,
                                            default=None)
        if effect is None:
            break
        pending.remove(effect)
        if isinstance(effect, InvokeTask):
            outcome = answer(effect)
            step = ex.complete(effect.id, outcome[1]) if outcome[0] == "ok" else ex.fail(effect.id, *outcome[1:])
        elif fire_timers:
            step = ex.fire(effect.id)
        else:
            continue
        cancelled = {e.id for e in step.effects if type(e).__name__ == "Cancel"}
        pending = [e for e in pending if e.id not in cancelled] + [e for e in step.effects if type(e).__name__ != "Cancel"]
        events += step.events
    return events


def restored(ex):
    """The same execution after a trip through its snapshot (as a restart does)."""
    return Execution.restore(ex.machine, ex.snapshot(), clock=ex.clock)


LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def task(name, **fields):
    return {"Type": "Task", "Resource": LAMBDA + name, **fields}


def machine(states, start=None, **top):
    return engine.parse({"StartAt": start or next(iter(states)), "States": states, **top})


def of(kind, effects):
    return [e for e in effects if isinstance(e, kind)]


MIXED = {
    "Prep": {"Type": "Pass", "Assign": {"n": 1}, "Next": "Fan"},
    "Fan": {"Type": "Parallel", "Next": "Each", "ResultPath": "$.fan", "Branches": [
        {"StartAt": "A", "States": {"A": task("A", Retry=[{"ErrorEquals": ["Flaky"]}], End=True)}},
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "B"}, "B": task("B", End=True)}}]},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.each", "Next": "Done",
             "ItemProcessor": {"StartAt": "I", "States": {"I": task("I", End=True)}}},
    "Done": {"Type": "Pass", "Parameters": {"n.$": "$n", "fan.$": "$.fan", "each.$": "$.each"}, "End": True},
}


def run_mixed(restore_each_step: bool, through_changes: bool = False, budget=None):
    """Answer everything in a fixed order; optionally go through a JSON snapshot after every step
    (the pauses at the end of a slice included, with a `budget`). Returns (status, output,
    [(AWS's event, its state run, its frame path)], how many times a slice ended with work left)."""
    clock = Clock()
    mach = machine(MIXED, start="Prep")
    ex = engine.Execution(mach, {"items": [1, 2, 3]}, clock=clock, seed=7, budget=budget)
    stored = None
    attempts = {}
    events, pending, pauses = [], [], 0
    step = ex.start()
    while True:
        events += [(e.to_dict(), e.run, e.path) for e in step.events]
        cancelled = {c.id for c in of(Cancel, step.effects)}
        pending = [e for e in pending if e.id not in cancelled] + [e for e in step.effects if not isinstance(e, Cancel)]
        if restore_each_step:
            if through_changes:
                stored = apply_changes(stored, json.loads(json.dumps(ex.changes())))
            else:
                stored = json.loads(json.dumps(ex.snapshot()))
            ex = engine.Execution.restore(mach, stored, clock=clock)
            ex.budget = budget
        if ex.status != "RUNNING" or not (pending or ex.more):
            return ex.status, ex.output, events, pauses
        if ex.more:
            pauses += 1
            step = ex.proceed()
            continue
        effect = pending.pop(0)
        if isinstance(effect, StartTimer):
            clock.now = max(clock.now, effect.due)
            step = ex.fire(effect.id)
        else:
            attempts[effect.state] = attempts.get(effect.state, 0) + 1
            if effect.state == "A" and attempts["A"] == 1:
                step = ex.fail(effect.id, "Flaky", "first time")
            else:
                step = ex.complete(effect.id, {"state": effect.state, "input": effect.input})


def apply_changes(snapshot, changes):
    if snapshot is None:
        snapshot = {"format": changes["format"], "frames": {}}
    snapshot["execution"] = changes["execution"]
    for frame_id, record in changes["frames"].items():
        if record is None:
            snapshot["frames"].pop(frame_id, None)
        else:
            snapshot["frames"][frame_id] = record
    return snapshot
