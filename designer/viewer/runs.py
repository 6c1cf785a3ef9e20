"""The runs of a state, read from its history events by where they happened (each event's state
run and frame path, engine.history.Event): what the state-detail endpoint answers. The browser
reads the same events by the same rules, live: static/src/viewer/runs.js.

A run is one entry into a state: its *StateEntered, and every event whose run is that one.
Status of a run, one of DESIGN.md's: running, retrying (it failed, a retry is pending), waiting
(for a timer, a callback, an activity worker or an approval), succeeded, caught (it failed and
a Catch routed on), failed, aborted; `not-started` is a state with no run. A run ends when it
exits or is aborted, or with what holds it: its Map iteration or its Map or Parallel failing,
the execution ending.
"""
from __future__ import annotations

import json

TASK_PREFIXES = ("Task", "LambdaFunction", "Activity")
SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")
# which run's status shows when several runs of one state are summed up (Map iterations)
AGGREGATE_ORDER = ("failed", "waiting", "retrying", "running", "caught", "aborted", "succeeded")
EXECUTION_ENDS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionAborted": "ABORTED",
                  "ExecutionTimedOut": "TIMED_OUT"}
# a container's events that end the runs inside it (a Map iteration's, when they name an index)
CLOSING = ("MapIterationFailed", "MapIterationAborted", "MapStateFailed", "ParallelStateFailed", "MapRunFailed")
# what a state's runs need besides their own events: their containers' (which says a container is
# a Map, and what ends the runs inside it) and the execution's
CONTAINER_EVENTS = ("MapStateEntered", "ParallelStateEntered", *CLOSING)
EXECUTION_EVENTS = tuple(EXECUTION_ENDS)
APPROVAL_ARN = "arn:aws:states:::statelight:approval"


def resources_of(definition) -> dict:
    """{state name: Resource} for every Task, nested ones included: the history's TaskScheduled
    names the resource without its .waitForTaskToken suffix, the definition has it."""
    found = {}
    scopes = [definition]
    while scopes:
        scope = scopes.pop()
        for name, state in ((scope or {}).get("States") or {}).items() if isinstance(scope, dict) else ():
            if not isinstance(state, dict):
                continue
            if isinstance(state.get("Resource"), str):
                found[name] = state["Resource"]
            scopes += [*(state.get("Branches") or []), state.get("ItemProcessor") or state.get("Iterator")]
    return found


def _waits_for(resource: str | None) -> str | None:
    if resource and resource.startswith(APPROVAL_ARN):
        return "approval"
    if resource and resource.endswith(".waitForTaskToken"):
        return "callback"
    return None


def _details(event: dict) -> dict:
    return next((value for key, value in event.items() if key.endswith("EventDetails")), None) or {}


def _json(text):
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


class Run:
    """One run of one state."""

    def __init__(self, event: dict, path: list, iteration):
        details = _details(event)
        self.id, self.name, self.type = event["id"], details.get("name", ""), event["type"][:-len("StateEntered")]
        self.path = path  # [[container run, branch or iteration index], ...]
        self.iteration = iteration  # {"map": run, "index": i} of the nearest enclosing Map iteration, or None
        self.entered_at, self.exited_at, self.ended_at = event["timestamp"], None, None
        self.input, self.output = _json(details.get("input")), None
        self.attempts = []  # task attempts: {scheduledAt, endedAt, outcome, error, cause, resource, parameters}
        self.failed = False  # its latest outcome is a failure
        self.error = self.cause = None
        self.final = None  # "failed" / "aborted" when it ended without an exit
        self.scheduled = None  # what its current attempt waits on: "callback", "activity", "approval"
        self.length, self.iterations = None, {}  # a Map's items, and each iteration's status and times

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
        return "waiting" if self.type == "Wait" or self.scheduled else "running"

    def waiting_for(self) -> str | None:
        if self.status() != "waiting":
            return None
        return "timer" if self.type == "Wait" else self.scheduled

    def close(self, at, final=None):
        if self.open:
            self.final = final or ("failed" if self.failed or self.type == "Fail" else "aborted")
            self.ended_at, self.scheduled = at, None

    def to_dict(self) -> dict:
        data = {"id": self.id, "name": self.name, "type": self.type, "status": self.status(),
                "parent": self.path[-1][0] if self.path else None, "path": self.path, "enteredAt": self.entered_at,
                "exitedAt": self.exited_at, "endedAt": self.ended_at, "input": self.input, "output": self.output,
                "error": self.error, "cause": self.cause, "retries": max(0, len(self.attempts) - 1),
                "attempts": self.attempts}
        if self.iteration is not None:
            data["iteration"] = self.iteration
        if self.waiting_for():
            data["waitingFor"] = self.waiting_for()
        if self.type == "Map":
            data["length"] = self.length
            data["iterations"] = [{"index": i, **it} for i, it in sorted(self.iterations.items())]
        return data


class StateRuns:
    """Feed event envelopes in id order ({"event", "run"}, and "path" on a run's *StateEntered:
    HistoryEvent.envelope()); read runs."""

    def __init__(self, resources=None):
        self.resources = resources or {}  # {state name: Resource} (resources_of(definition))
        self.runs = {}  # run id -> Run, in entry order

    def add_all(self, envelopes):
        for envelope in envelopes:
            self.add(envelope)
        return self

    def add(self, envelope: dict):
        event, run_id = envelope["event"], envelope["run"]
        kind, at = event["type"], event["timestamp"]
        if kind in EXECUTION_ENDS:
            for run in self.runs.values():
                run.close(at, "aborted" if kind == "ExecutionAborted" else None)
        elif run_id == event["id"]:
            path = envelope.get("path", [])
            self.runs[run_id] = Run(event, path, self._iteration(path))
        elif run_id in self.runs:
            self._apply(self.runs[run_id], event, kind, at, _details(event))

    def _iteration(self, path):
        for container, index in reversed(path):
            if container in self.runs and self.runs[container].type == "Map":
                return {"map": container, "index": index}
        return None

    def _apply(self, run: Run, event, kind, at, details):
        if kind.endswith("StateExited"):
            run.exited_at = run.ended_at = at
            run.output, run.scheduled = _json(details.get("output")), None
        elif kind.endswith("StateAborted"):
            run.close(at, "aborted")
        elif kind.startswith("MapIteration"):
            self._iteration_event(run, kind[len("MapIteration"):].lower(), details.get("index"), at)
        elif kind == "MapStateStarted":
            run.length = details.get("length")
        elif kind in CLOSING or kind == "EvaluationFailed":
            run.failed = True
            run.error, run.cause = details.get("error", run.error), details.get("cause", run.cause)
            if kind != "EvaluationFailed":
                self._close_inside(run.id, None, at, None)
        elif kind.startswith(TASK_PREFIXES):
            self._task_event(run, kind, at, details)

    def _iteration_event(self, run: Run, outcome, index, at):
        if outcome == "started" or index not in run.iterations:  # started again by a redrive: running anew
            run.iterations[index] = {"status": "running", "startedAt": at, "endedAt": None}
        if outcome != "started":
            run.iterations[index].update(status=outcome, endedAt=at)
        if outcome in ("failed", "aborted"):
            self._close_inside(run.id, index, at, "aborted" if outcome == "aborted" else None)

    def _task_event(self, run: Run, kind, at, details):
        attempt = run.attempts[-1] if run.attempts else None
        if kind in SCHEDULED:
            resource = details.get("resource", "")
            if kind == "TaskScheduled":
                resource = f"{details.get('resourceType', '')}:{resource}"
            run.attempts.append({"scheduledAt": at, "endedAt": None, "outcome": None, "error": None, "cause": None,
                                 "resource": resource, "parameters": _json(details.get("parameters",
                                                                                       details.get("input")))})
            run.failed = False
            run.scheduled = "activity" if kind == "ActivityScheduled" else (
                _waits_for(self.resources.get(run.name)) or _waits_for(f"arn:aws:states:::{resource}"))
        elif kind == "ActivityStarted":
            run.scheduled = None  # a worker has it
        elif kind.endswith("Succeeded"):
            # `scheduled` stays until the state exits (the same commit): no flicker to running in between
            run.error = run.cause = None  # the failures of earlier attempts stay in `attempts`
            if attempt is not None:
                attempt.update(endedAt=at, outcome="succeeded", result=_json(details.get("output")))
        elif kind.endswith(("Failed", "TimedOut")):
            run.failed, run.scheduled = True, None
            run.error, run.cause = details.get("error"), details.get("cause")
            if attempt is not None:
                attempt.update(endedAt=at, outcome="timed out" if kind.endswith("TimedOut") else "failed",
                               error=run.error, cause=run.cause)

    def _close_inside(self, container, index, at, final):
        """End the open runs inside a container (inside its iteration `index` when not None)."""
        for run in self.runs.values():
            if any(c == container and (index is None or i == index) for c, i in run.path):
                run.close(at, final)

    # -- reading
    def of_state(self, name, index=None) -> list[Run]:
        """The runs of one state, oldest first (within Map iteration `index` when given)."""
        return [run for run in self.runs.values() if run.name == name
                and (index is None or (run.iteration is not None and run.iteration["index"] == index))]

    def status_of(self, name) -> dict:
        """{"status", "waitingFor"?} of a state: its latest run's, or, inside a Map, its runs in the
        latest run's Map summed up (the one that matters most, AGGREGATE_ORDER)."""
        runs = self.of_state(name)
        if not runs:
            return {"status": "not-started"}
        latest = runs[-1]
        chosen = [latest] if latest.iteration is None else [
            run for run in runs if run.iteration is not None and run.iteration["map"] == latest.iteration["map"]]
        best = min(chosen, key=lambda run: AGGREGATE_ORDER.index(run.status()))
        return {"status": best.status(), **({"waitingFor": best.waiting_for()} if best.waiting_for() else {})}
