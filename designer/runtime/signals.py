"""In-process wake-ups, so the embedded runtime reacts within milliseconds.

Other processes are not told: workers also poll (STATELIGHT_RUNTIME_POLL_SECONDS),
GetActivityTask pollers and wait_for_execution re-read the database on a
short timer. A missed wake-up costs latency, never correctness.
"""
from __future__ import annotations

import asyncio
import threading

_lock = threading.Lock()
_runtimes = []  # the Runtime objects running in this process
_changed = threading.Condition()
_activity_waiters = {}  # activity pk -> set of (loop, asyncio.Event)


def add_runtime(runtime):
    with _lock:
        _runtimes.append(runtime)


def remove_runtime(runtime):
    with _lock:
        if runtime in _runtimes:
            _runtimes.remove(runtime)


def live_runtimes() -> list:
    with _lock:
        return list(_runtimes)


def work_available():
    """Something was enqueued (an inbox item, a task): wake the runtimes of this process."""
    for runtime in live_runtimes():
        runtime.notify()


def execution_changed():
    """An execution's stored state changed (called after commit)."""
    with _changed:
        _changed.notify_all()


def wait_for_change(timeout: float):
    with _changed:
        _changed.wait(timeout)


# --- activity tasks: async long polls waiting in this process ----------------

def add_activity_waiter(activity_id: int) -> tuple:
    """(loop, asyncio.Event) set when a task of the activity is stored; pass it back to remove it."""
    entry = (asyncio.get_running_loop(), asyncio.Event())
    with _lock:
        _activity_waiters.setdefault(activity_id, set()).add(entry)
    return entry


def remove_activity_waiter(activity_id: int, entry: tuple):
    with _lock:
        waiters = _activity_waiters.get(activity_id)
        if waiters is not None:
            waiters.discard(entry)
            if not waiters:
                del _activity_waiters[activity_id]


def activities_ready(activity_ids):
    """New activity tasks were stored (after commit): wake the pollers of those activities."""
    with _lock:
        entries = [entry for pk in set(activity_ids) for entry in _activity_waiters.get(pk, ())]
    for loop, event in entries:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # that loop has closed
            pass
