"""The table of operations: `X-Amz-Target: AWSStepFunctions.<Operation>` -> a function.

Each operation takes a Call and returns the response members (a dict). Plain
functions run in a worker thread inside one request's database work;
`is_async` ones (GetActivityTask's long poll) run on the event loop, after
their `prepare` step has done the database work in the thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .params import Params

OPERATIONS: dict[str, "Operation"] = {}

# Operations of AWS's model that Statelight does not offer (Distributed Map runs).
UNSUPPORTED = {"DescribeMapRun", "ListMapRuns", "UpdateMapRun"}


@dataclass
class Call:
    operation: str
    user: object
    region: str
    params: Params
    access_key_id: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    name: str
    function: object
    is_async: bool = False
    # an async operation's database part, run in a worker thread first; its
    # result (a tuple) becomes the operation's extra arguments
    prepare: object = None
    # may block its thread for long (runs a whole execution, waits for the
    # runtime): runs in threads of its own so quick calls never queue behind it
    slow: bool = False


def operation(name: str, *, is_async: bool = False, prepare=None, slow: bool = False):
    def register(function):
        OPERATIONS[name] = Operation(name, function, is_async, prepare, slow)
        return function
    return register
