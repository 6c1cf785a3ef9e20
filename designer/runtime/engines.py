"""The engines a worker keeps: compiled machines, restored executions, and the engine class
the runtime runs (engine.Execution with workarounds until the engine has their fixes)."""
from __future__ import annotations

import collections
import hashlib
import json
import threading

import engine


class RuntimeExecution(engine.Execution):
    """engine.Execution with workarounds for two engine bugs (reported to the lead; remove
    each once the engine has its fix):

    1. schedule_task evaluates a .waitForTaskToken task's Parameters once before it makes
       the token, so `$$.Task.Token` fails with States.Runtime. A token set beforehand lets
       that first evaluation pass; the engine then makes the real token and evaluates again.
    2. changes() misses frames changed without being queued: a Parallel/Map parent whose
       child ended (fan counters, last event id), a frame whose heartbeat timer restarted.
       Restored from those changes, a Parallel never ends. Every frame an event, a timer or a
       child touches is marked written here.
    """

    def schedule_task(self, state, frame):
        if state.pattern == "wait_for_task_token" and frame.token is None:
            frame.token = "pending"
        return super().schedule_task(state, frame)

    def _child_ended(self, child):
        self._dirty.add(child.parent)
        return super()._child_ended(child)

    def _event(self, frame, type, details=None, previous=None):
        if frame is not None:
            self._dirty.add(frame.id)
        return super()._event(frame, type, details, previous)

    def _timer(self, frame, due, purpose):
        self._dirty.add(frame.id)
        return super()._timer(frame, due, purpose)

    def _cancel_timer(self, frame, timer_id):
        self._dirty.add(frame.id)
        return super()._cancel_timer(frame, timer_id)


# --- parsed machines and restored engines, kept in memory ------------------

class _LRU:
    def __init__(self, size):
        self.size = size
        self.items = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def drop(self, key):
        with self.lock:
            self.items.pop(key, None)


_machines = _LRU(256)


def parse_definition(text: str):
    """The compiled Machine of a definition (cached by its text). Raises InvalidDefinition."""
    key = hashlib.sha256(text.encode()).digest()
    machine = _machines.get(key)
    if machine is None:
        machine = engine.parse(json.loads(text))
        _machines.put(key, machine)
    return machine


class _Loaded:
    __slots__ = ("revision", "engine", "mock")

    def __init__(self, revision, ex, mock):
        self.revision, self.engine, self.mock = revision, ex, mock


class EngineCache:
    """The engines a worker advanced last, so the next step skips the restore (a 10,000-item Map
    has 10,000 frame rows: restoring them for every finished item would be quadratic). An entry
    counts only while the stored revision is the one this worker wrote."""

    def __init__(self, size=2000):
        self._lru = _LRU(size)

    def get(self, execution_id, revision):
        loaded = self._lru.get(execution_id)
        if loaded is not None and loaded.revision == revision:
            return loaded
        return None

    def put(self, execution_id, loaded):
        self._lru.put(execution_id, loaded)

    def drop(self, execution_id):
        self._lru.drop(execution_id)
