"""The engines a worker keeps in memory: compiled machines and restored executions."""
from __future__ import annotations

import collections
import hashlib
import json
import threading

import engine

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


class Loaded:
    """An engine this worker advanced, as of the stored revision it wrote, with its mock test case."""

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
