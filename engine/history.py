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
    __slots__ = ("id", "previous_id", "timestamp", "type", "details")

    def __init__(self, id, previous_id, timestamp, type, details=None):
        self.id = id
        self.previous_id = previous_id
        self.timestamp = timestamp
        self.type = type
        self.details = details

    def __repr__(self):
        return f"<Event {self.id} {self.type}>"

    def to_dict(self) -> dict:
        """AWS's HistoryEvent, with `timestamp` in epoch seconds."""
        event = {"timestamp": self.timestamp, "type": self.type, "id": self.id, "previousEventId": self.previous_id}
        if self.details is not None:
            event[DETAILS_KEY[self.type]] = wire_details(self.details)
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
