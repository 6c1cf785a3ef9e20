"""History events in the shape of Step Functions' GetExecutionHistory.

Events are recorded cheaply while interpreting (payloads kept as Python
values, shared, never copied) and turned into AWS's wire shape only when
someone reads them: the store, the API, the websocket, the CLI's --history.
"""
from __future__ import annotations

from .serialize import to_json

# The details member of each event type, when it has one.
_STATE_ENTERED = "stateEnteredEventDetails"
_STATE_EXITED = "stateExitedEventDetails"
DETAILS_KEY = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "ExecutionRedriven": "executionRedrivenEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
    "ActivityStarted": "activityStartedEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
    "ActivityFailed": "activityFailedEventDetails",
    "ActivityTimedOut": "activityTimedOutEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "MapRunStarted": "mapRunStartedEventDetails",
    "MapRunFailed": "mapRunFailedEventDetails",
    "EvaluationFailed": "evaluationFailedEventDetails",
}
for _type in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"):
    DETAILS_KEY[_type + "StateEntered"] = _STATE_ENTERED
    DETAILS_KEY[_type + "StateExited"] = _STATE_EXITED

# Detail members that carry a JSON payload: serialised to text on the wire,
# with a `<name>Details: {"truncated": false}` sibling where AWS has one.
_PAYLOADS = {"input": "inputDetails", "output": "outputDetails", "parameters": None, "result": None}


class Event:
    """One history event: AWS's fields, and where in the execution it happened (its frame path),
    which AWS's history leaves to be guessed from previousEventId:

    run   the id of the *StateEntered event of the state run it belongs to (its own id for a
          *StateEntered; a Map's or Parallel's own events belong to its run); None for the
          execution's own events
    path  the frame it happened in: ((container's run, branch or iteration index), ...), the
          outermost first; () at the top level
    """

    __slots__ = ("id", "previous_id", "timestamp", "type", "details", "run", "path")

    def __init__(self, id, previous_id, timestamp, type, details=None, run=None, path=()):
        self.id = id
        self.previous_id = previous_id
        self.timestamp = timestamp
        self.type = type
        self.details = details
        self.run = run
        self.path = path

    def __repr__(self):
        return f"<Event {self.id} {self.type}>"

    def to_dict(self) -> dict:
        """AWS's HistoryEvent, with `timestamp` in epoch seconds."""
        return aws_event(self.id, self.previous_id, self.timestamp, self.type,
                         wire_details(self.details) if self.details is not None else None)


def aws_event(id, previous_id, timestamp, type, wired_details) -> dict:
    """AWS's HistoryEvent (GetExecutionHistory's shape, `timestamp` in epoch seconds) of an event
    whose details are in their wire form already (wire_details()). The one place it is shaped:
    the engine's events, and the server's stored ones (designer/models/executions.py)."""
    event = {"timestamp": timestamp, "type": type, "id": id, "previousEventId": previous_id}
    if wired_details is not None:
        event[DETAILS_KEY[type]] = wired_details
    return event


def wire_details(details: dict) -> dict:
    out = {}
    for name, value in details.items():
        if name == "assignedVariables":  # each variable's value as its own JSON text
            out[name] = {key: to_json(v) for key, v in value.items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        elif name in _PAYLOADS:
            out[name] = to_json(value)
            if _PAYLOADS[name]:
                out[_PAYLOADS[name]] = {"truncated": False}
        else:
            out[name] = value
    return out
