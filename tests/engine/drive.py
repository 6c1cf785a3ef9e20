"""Helpers that play the runtime's part for engine tests: answer effects by hand."""
from engine import Execution
from engine.effects import InvokeTask, StartTimer


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
