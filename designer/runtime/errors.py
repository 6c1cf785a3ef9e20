"""What the runtime's public functions raise. Each class is named after the
AWS Step Functions error the API answers with (`aws_name`), so the API maps
them with one table and no guessing."""
from __future__ import annotations


class RefusedRequest(Exception):
    """Base class: a request the runtime refuses. `aws_name` is the AWS error code."""

    aws_name = "ValidationException"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(RefusedRequest):
    """A parameter out of its bounds (a name, an error string too long)."""

    aws_name = "ValidationException"


class InvalidName(RefusedRequest):
    aws_name = "InvalidName"


class ExecutionAlreadyExists(RefusedRequest):
    aws_name = "ExecutionAlreadyExists"


class InvalidExecutionInput(RefusedRequest):
    aws_name = "InvalidExecutionInput"


class InvalidMockTestCase(RefusedRequest):
    """The mock test case asked for is not in the mock configuration (or there is none)."""

    aws_name = "ValidationException"


class ExecutionNotRedrivable(RefusedRequest):
    aws_name = "ExecutionNotRedrivable"


class TaskDoesNotExist(RefusedRequest):
    aws_name = "TaskDoesNotExist"


class InvalidToken(RefusedRequest):
    aws_name = "InvalidToken"


class TaskTimedOut(RefusedRequest):
    aws_name = "TaskTimedOut"


class InvalidOutput(RefusedRequest):
    aws_name = "InvalidOutput"


class ExecutionTimeout(TimeoutError):
    """wait_for_execution gave up: the execution still runs."""


__all__ = [
    "ExecutionAlreadyExists", "ExecutionNotRedrivable", "ExecutionTimeout", "InvalidExecutionInput",
    "InvalidMockTestCase", "InvalidName", "InvalidOutput", "InvalidRequest", "InvalidToken", "RefusedRequest",
    "TaskDoesNotExist", "TaskTimedOut",
]
