"""Errors of the States language.

A failure inside a workflow is data: an error name and a cause, raised as a
StatesError inside the engine and turned into events and a failed execution.
"""
from __future__ import annotations


class StatesError(Exception):
    """A workflow failure with an ASL error name and a cause (either may be None).

    `verbatim`: the cause is reported as it is (a Fail state's, a task's answer, a limit's own
    message), not prefixed with the state and event it happened in."""

    error: str | None = "States.Runtime"

    def __init__(self, cause: str | None = None, error: str | None = None, *, verbatim: bool = False):
        super().__init__(cause)
        self.cause = cause
        self.verbatim = verbatim
        if error is not None or type(self) is StatesError:
            self.error = error

    def __repr__(self):
        return f"{type(self).__name__}(error={self.error!r}, cause={self.cause!r})"


def _predefined(name: str) -> type[StatesError]:
    return type(name.split(".", 1)[1].replace(".", ""), (StatesError,), {"error": name, "__module__": __name__})


# One class per predefined name, so code can raise and catch them by type.
ALL = "States.ALL"
Runtime = _predefined("States.Runtime")
TaskFailed = _predefined("States.TaskFailed")
Timeout = _predefined("States.Timeout")
HeartbeatTimeout = _predefined("States.HeartbeatTimeout")
DataLimitExceeded = _predefined("States.DataLimitExceeded")
BranchFailed = _predefined("States.BranchFailed")
NoChoiceMatched = _predefined("States.NoChoiceMatched")
IntrinsicFailure = _predefined("States.IntrinsicFailure")
ParameterPathFailure = _predefined("States.ParameterPathFailure")
ResultPathMatchFailure = _predefined("States.ResultPathMatchFailure")
ExceedToleratedFailureThreshold = _predefined("States.ExceedToleratedFailureThreshold")
ItemReaderFailed = _predefined("States.ItemReaderFailed")
ResultWriterFailed = _predefined("States.ResultWriterFailed")
QueryEvaluationError = _predefined("States.QueryEvaluationError")
Permissions = _predefined("States.Permissions")

# "A retry or catch on States.ALL won't catch States.Runtime errors", nor the
# terminal States.DataLimitExceeded; a States.Runtime error is never retried
# or caught at all. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
NOT_MATCHED_BY_ALL = frozenset({"States.Runtime", "States.DataLimitExceeded"})
NEVER_HANDLED = frozenset({"States.Runtime"})


class InvalidDefinition(ValueError):
    """A definition the validator refused; `problems` lists every reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(f"{first.path}: {first.message}" if first else "invalid definition")
