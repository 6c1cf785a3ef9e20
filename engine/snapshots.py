"""Snapshots: the whole position of an execution as JSON-ready data, the changes since the
last one, and an execution restored from them (what makes executions survive a restart and
move between workers). A snapshot taken between slices holds the queue of runnable frames."""
from __future__ import annotations

import time
from collections import ChainMap

from .frames import frame_from_record, frame_record

SNAPSHOT_FORMAT = 1


class Snapshots:
    """The snapshot part of Execution (a mixin)."""

    def snapshot(self) -> dict:
        """The whole position of the execution, as JSON-ready data."""
        self._dirty.clear()
        self._unreported = self.next_frame_id
        return {"format": SNAPSHOT_FORMAT, "execution": self._execution_record(),
                "frames": {str(f.id): frame_record(f) for f in self.frames.values()}}

    def changes(self) -> dict:
        """What changed since the last snapshot() or changes(): the execution record and
        the frames written (None for a frame that is gone). Applied in order on top of a
        snapshot, they give the current snapshot; a big Map rewrites only the frames it touched."""
        frames = {str(i): (frame_record(self.frames[i]) if i in self.frames else None) for i in self._dirty}
        self._dirty.clear()
        self._unreported = self.next_frame_id
        return {"format": SNAPSHOT_FORMAT, "execution": self._execution_record(), "frames": frames}

    def _execution_record(self) -> dict:
        return {
            "status": self.status, "output": self.output, "error": self.error, "cause": self.cause,
            "next_event_id": self.next_event_id, "next_effect_id": self.next_effect_id,
            "next_frame_id": self.next_frame_id, "seed": self.seed, "draws": self.draws,
            "start_time": self.start_time, "name": self.name, "history_limit": self.history_limit,
            "execution_context": self.execution_context, "machine_context": self.machine_context,
            "max_duration": self.max_duration, "deadline": self.deadline, "ready": [f.id for f in self._ready],
        }

    @classmethod
    def restore(cls, machine, snapshot: dict, *, clock=time.time, token_factory=None) -> "Execution":
        """Continue an execution from snapshot() (or a snapshot with changes() applied)."""
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"unsupported snapshot format {snapshot.get('format')!r}")
        record = snapshot["execution"]
        context = record["execution_context"]
        ex = cls(machine, context["Input"], name=record["name"], execution_arn=context["Id"],
                 state_machine_arn=record["machine_context"]["Id"], state_machine_name=record["machine_context"]["Name"],
                 role_arn=context["RoleArn"], start_time=record["start_time"], clock=clock, seed=record["seed"],
                 token_factory=token_factory, history_limit=record["history_limit"],
                 redrive_count=context["RedriveCount"], max_duration=record.get("max_duration"))
        ex.execution_context = context
        ex.deadline = record.get("deadline")
        for key in ("status", "output", "error", "cause", "next_event_id", "next_effect_id", "next_frame_id", "draws"):
            setattr(ex, key, record[key])
        scopes = {m.pointer: m for m in machine.walk()}
        for record in sorted((r for r in snapshot["frames"].values() if r is not None), key=lambda r: r["id"]):
            frame = frame_from_record(ex, record, scopes)
            ex.frames[frame.id] = frame
            for effect_id in ([frame.effect] if frame.effect is not None else []) + list(frame.timers):
                ex.pending[effect_id] = frame.id
        for frame in sorted(ex.frames.values(), key=lambda f: (f.parent or 0, f.index or 0)):
            if frame.parent is not None:
                ex.frames[frame.parent].fan.children.append(frame.id)
        for frame in sorted(ex.frames.values(), key=lambda f: f.id):  # parents before children
            parent = ex.frames.get(frame.parent)
            if parent is not None and parent.variables is not None:
                frame.variables = ChainMap(frame.variables or {}, parent.variables)
        for frame_id in snapshot["execution"].get("ready", ()):
            ex._queue(ex.frames[frame_id])
        ex._dirty.clear()
        ex._unreported = ex.next_frame_id
        return ex

