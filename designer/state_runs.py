"""The runs of each state, read back from an execution's history (AWS GetExecutionHistory events).

The execution viewer colours states, lists their inputs and outputs and draws
a timeline from the same reading; the browser does it live in
static/src/viewer/history.js with the same rules, and this module answers the
state-detail endpoint (designer/viewer.py) and the tests.

How an event finds its state: a `*StateEntered` event opens an entry (one run
of one state). Every other event belongs to the entry of its previousEventId,
except where AWS links past it:
- a Map/Parallel's own events (`MapStateSucceeded`, `MapIterationFailed`,
  its `*StateExited`, ...) link to the last event of a child: walk up from
  there to the open Map/Parallel (by name when the event names it);
- the first state of a Parallel branch may link to the last event of a
  sibling branch: an entry whose predecessor is a state's exit is that
  state's sibling (same container, same Map iteration);
- `EvaluationFailed` links to the state's predecessor: it names its state.

Status of an entry, one of DESIGN.md's: running, retrying (failed, a retry is
pending), waiting (timer, callback, activity, approval), succeeded, caught
(it failed and a Catch routed on: it exited after a failure), failed,
aborted. `not-started` belongs to a state with no entry.
"""
from __future__ import annotations

import json

FAILURE_SUFFIXES = ("Failed", "TimedOut")
TASK_PREFIXES = ("Task", "LambdaFunction", "Activity")
CONTAINER_TYPES = ("Map", "Parallel")
ACTIVE = ("running", "retrying", "waiting")
# which entry's status shows when several runs of one state are summed up (Map iterations)
AGGREGATE_ORDER = ("failed", "waiting", "retrying", "running", "caught", "aborted", "succeeded")
EXECUTION_ENDS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionAborted": "ABORTED",
                  "ExecutionTimedOut": "TIMED_OUT"}


APPROVAL_ARN = "arn:aws:states:::statelight:approval"


def resources_of(definition) -> dict:
    """{state name: Resource} for every Task, nested ones included: the history's TaskScheduled
    names the resource without its .waitForTaskToken suffix, the definition has it."""
    out = {}

    def walk(scope):
        states = scope.get("States") if isinstance(scope, dict) else None
        for name, state in (states or {}).items():
            if not isinstance(state, dict):
                continue
            if isinstance(state.get("Resource"), str):
                out[name] = state["Resource"]
            for branch in state.get("Branches") or []:
                walk(branch)
            walk(state.get("ItemProcessor") or state.get("Iterator"))

    walk(definition)
    return out


def _waits_for(resource):
    if not resource:
        return None
    if resource.startswith(APPROVAL_ARN):
        return "approval"
    if resource.endswith(".waitForTaskToken"):
        return "callback"
    return None


def _details(event: dict) -> dict:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _json(text):
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class Entry:
    """One run of one state."""

    def __init__(self, id, name, type, entered_at, input, parent=None, iteration=None):
        self.id = id  # the StateEntered event's id
        self.name = name
        self.type = type
        self.parent = parent  # the enclosing Map/Parallel entry, or None
        self.iteration = iteration  # (Map entry id, index) of the nearest enclosing Map iteration, or None
        self.entered_at = entered_at
        self.exited_at = None
        self.ended_at = None  # exited, aborted or closed with its branch / execution
        self.input = input
        self.output = None
        self.attempts = []  # task attempts: {scheduled_at, ended_at, outcome, error, cause, resource, parameters}
        self.failed = False  # its latest outcome is a failure
        self.error = None
        self.cause = None
        self.final = None  # "failed" / "aborted" when closed without an exit
        self.waiting_for = None
        self.scheduled = None  # what its current attempt waits on: "callback", "activity", "approval", None
        self.events = []
        # Map entries: how many items, and each iteration's status / times
        self.length = None
        self.iterations = {}
        self.iterations_started = {}  # MapIterationStarted event id -> index

    @property
    def open(self) -> bool:
        return self.exited_at is None and self.final is None

    def status(self) -> str:
        if self.exited_at is not None:
            return "caught" if self.failed else "succeeded"
        if self.final is not None:
            return self.final
        if self.type == "Fail":
            return "failed"
        if self.failed:
            return "retrying"
        if self.type == "Wait":
            return "waiting"
        if self.scheduled is not None:
            return "waiting"
        return "running"

    def waiting(self):
        if self.status() != "waiting":
            return None
        return "timer" if self.type == "Wait" else self.scheduled

    def to_dict(self) -> dict:
        data = {
            "id": self.id, "name": self.name, "type": self.type, "status": self.status(),
            "parent": self.parent, "enteredAt": self.entered_at, "exitedAt": self.exited_at,
            "endedAt": self.ended_at, "input": self.input, "output": self.output, "error": self.error,
            "cause": self.cause, "retries": max(0, len(self.attempts) - 1), "attempts": self.attempts,
            "events": self.events,
        }
        if self.iteration is not None:
            data["iteration"] = {"map": self.iteration[0], "index": self.iteration[1]}
        waiting_for = self.waiting()
        if waiting_for:
            data["waitingFor"] = waiting_for
        if self.type == "Map":
            data["length"] = self.length
            data["iterations"] = [{"index": i, **it} for i, it in sorted(self.iterations.items())]
        return data


class StateRuns:
    """Feed events in id order (add()); read entries, statuses and the execution's status."""

    def __init__(self, resources=None):
        self.resources = resources or {}  # {state name: Resource} (resources_of(definition))
        self.entries = {}  # entry id -> Entry
        self.by_event = {}  # event id -> entry id (None: the execution itself)
        self.types = {}  # event id -> type
        self.status = "RUNNING"
        self.started_at = None
        self.stopped_at = None
        self.last_id = 0

    # -- reading events
    def add_all(self, events):
        for event in events:
            self.add(event)
        return self

    def add(self, event: dict):
        event_id, kind, prev, at = event["id"], event["type"], event.get("previousEventId", 0), event["timestamp"]
        if event_id <= self.last_id:
            return  # a duplicate
        self.last_id = event_id
        self.types[event_id] = kind
        details = _details(event)
        owner = None
        if kind == "ExecutionStarted":
            self.started_at = at
        elif kind == "ExecutionRedriven":
            self.status, self.stopped_at = "RUNNING", None
        elif kind in EXECUTION_ENDS:
            self.status, self.stopped_at = EXECUTION_ENDS[kind], at
            for entry in self.entries.values():
                self._close(entry, at, "aborted" if kind == "ExecutionAborted" else None)
        elif kind.endswith("StateEntered"):
            owner = self._enter(event_id, kind[: -len("StateEntered")], prev, at, details)
        else:
            owner = self._owner(kind, prev, details)
            if owner is not None:
                self._apply(self.entries[owner], event_id, kind, at, details)
        self.by_event[event_id] = owner
        if owner is not None:
            self.entries[owner].events.append(event_id)

    def _enter(self, event_id, state_type, prev, at, details):
        parent, iteration = None, None
        before = self.by_event.get(prev)
        prev_type = self.types.get(prev, "")
        if before is not None:
            other = self.entries[before]
            if prev_type == "MapIterationStarted":
                parent, iteration = before, (before, other.iterations_started.get(prev))
            elif prev_type == "ParallelStateStarted" or (other.type in CONTAINER_TYPES and other.open
                                                         and prev_type in ("MapStateStarted",)):
                parent, iteration = before, other.iteration
            else:  # after a state of the same scope (or of a sibling branch)
                parent, iteration = other.parent, other.iteration
        entry = Entry(event_id, details.get("name", ""), state_type, at, _json(details.get("input")), parent, iteration)
        self.entries[event_id] = entry
        return event_id

    def _walk_up(self, start, match):
        entry_id = start
        while entry_id is not None:
            entry = self.entries[entry_id]
            if entry.open and match(entry):
                return entry_id
            entry_id = entry.parent
        return None

    def _owner(self, kind, prev, details):
        start = self.by_event.get(prev)
        if kind.startswith(("MapIteration", "MapState", "MapRun")):
            name = details.get("name")
            return self._walk_up(start, lambda e: e.type == "Map" and (name is None or e.name == name))
        if kind.startswith("ParallelState"):
            return self._walk_up(start, lambda e: e.type == "Parallel")
        if kind.endswith("StateExited"):
            name = details.get("name")
            return self._walk_up(start, lambda e: e.name == name)
        if kind == "EvaluationFailed":
            name = details.get("state")
            found = [e.id for e in self.entries.values() if e.open and e.name == name]
            return found[-1] if found else start
        return start

    def _apply(self, entry: Entry, event_id, kind, at, details):
        if kind.endswith("StateExited"):
            entry.exited_at = entry.ended_at = at
            entry.output = _json(details.get("output"))
            entry.scheduled = None
            return
        if kind.endswith("StateAborted"):
            self._close(entry, at, "aborted")
            return
        if kind.startswith("MapIteration"):
            index = details.get("index")
            outcome = kind[len("MapIteration"):].lower()  # started, succeeded, failed, aborted
            if outcome == "started":
                entry.iterations_started[event_id] = index
                entry.iterations[index] = {"status": "running", "startedAt": at, "endedAt": None}
                return
            it = entry.iterations.setdefault(index, {"status": "running", "startedAt": at, "endedAt": None})
            it["status"], it["endedAt"] = outcome, at
            if outcome != "succeeded":
                for inner in self._inside(entry.id, index):
                    self._close(inner, at, "aborted" if outcome == "aborted" else None)
            return
        if kind == "MapStateStarted":
            entry.length = details.get("length")
            return
        if kind in ("MapStateFailed", "ParallelStateFailed", "MapRunFailed"):
            entry.failed = True
            entry.error, entry.cause = details.get("error", entry.error), details.get("cause", entry.cause)
            for inner in self._inside(entry.id):
                self._close(inner, at, None)
            return
        if kind == "EvaluationFailed":
            entry.failed, entry.error, entry.cause = True, details.get("error"), details.get("cause")
            return
        if kind.startswith(TASK_PREFIXES):
            self._task_event(entry, kind, at, details)

    def _task_event(self, entry, kind, at, details):
        if kind in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"):
            parameters = details.get("parameters", details.get("input"))
            resource = details.get("resource", "")
            if kind == "TaskScheduled":
                resource = f"{details.get('resourceType', '')}:{resource}"
            entry.attempts.append({"scheduledAt": at, "endedAt": None, "outcome": None, "error": None,
                                   "cause": None, "resource": resource, "parameters": _json(parameters)})
            entry.failed = False
            if kind == "ActivityScheduled":
                entry.scheduled = "activity"
            else:
                entry.scheduled = _waits_for(self.resources.get(entry.name)) or (
                    "approval" if resource == "statelight:approval" else _waits_for(resource))
            return
        if kind == "ActivityStarted":
            entry.scheduled = None  # a worker has it
            return
        attempt = entry.attempts[-1] if entry.attempts else None
        if kind.endswith("Succeeded"):
            # `scheduled` stays until the state exits (the same commit): no flicker to running in between
            entry.error = entry.cause = None  # the failures of earlier attempts stay in `attempts`
            if attempt is not None:
                attempt.update(endedAt=at, outcome="succeeded", result=_json(details.get("output")))
        elif kind.endswith(FAILURE_SUFFIXES):
            entry.scheduled = None
            entry.failed = True
            entry.error, entry.cause = details.get("error"), details.get("cause")
            if attempt is not None:
                attempt.update(endedAt=at, outcome="timed out" if kind.endswith("TimedOut") else "failed",
                               error=entry.error, cause=entry.cause)

    def _inside(self, container_id, index=None):
        """Open entries inside a container (inside one of its iterations when index is given)."""
        found = []
        for entry in self.entries.values():
            if not entry.open or entry.id == container_id:
                continue
            parent = entry.parent
            while parent is not None and parent != container_id:
                parent = self.entries[parent].parent
            if parent is None:
                continue
            if index is not None:
                # the iteration of container_id this entry is in
                chain = entry
                while chain.parent != container_id:
                    chain = self.entries[chain.parent]
                if chain.iteration != (container_id, index):
                    continue
            found.append(entry)
        return found

    def _close(self, entry: Entry, at, final):
        if not entry.open:
            return
        entry.final = final or ("failed" if entry.failed or entry.type == "Fail" else "aborted")
        entry.ended_at = at
        entry.scheduled = None

    # -- reading the result
    def of_state(self, name, index=None):
        """The entries of one state, oldest first (within Map iteration `index` when given)."""
        entries = [e for e in self.entries.values() if e.name == name]
        if index is not None:
            entries = [e for e in entries if e.iteration is not None and e.iteration[1] == index]
        return entries

    def statuses(self, picks=None) -> dict:
        """{state name: {"status", "waitingFor"?}}; `picks` {Map state name: iteration index} shows
        that iteration's runs for the states inside that Map, instead of all iterations summed up."""
        picks = picks or {}
        by_name = {}
        for entry in self.entries.values():
            by_name.setdefault(entry.name, []).append(entry)
        out = {}
        for name, entries in by_name.items():
            latest = entries[-1]
            chosen = [latest]
            if latest.iteration is not None:
                map_id = latest.iteration[0]
                same_map = [e for e in entries if e.iteration is not None and e.iteration[0] == map_id]
                pick = picks.get(self.entries[map_id].name)
                if pick is not None:
                    chosen = [e for e in same_map if e.iteration[1] == pick][-1:]
                else:
                    chosen = same_map
            if not chosen:
                continue
            best = min(chosen, key=lambda e: AGGREGATE_ORDER.index(e.status()))
            item = {"status": best.status()}
            if best.waiting():
                item["waitingFor"] = best.waiting()
            out[name] = item
        return out


def read(events, definition=None) -> StateRuns:
    return StateRuns(resources_of(definition) if definition else None).add_all(events)
