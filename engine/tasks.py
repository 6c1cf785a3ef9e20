"""Task states on the engine's side: scheduling an attempt as an effect, and
taking its answer (a result, a failure, a timeout) back into the frame."""
from __future__ import annotations

import os

from . import errors
from .effects import Cancel, InvokeTask
from .frames import BLOCKED_ON
from .serialize import MAX_DEPTH, PAYLOAD_LIMIT, depth_of, size_in_bytes
from .states import BLOCKED


class TaskSteps:
    """The Task part of Execution (a mixin: it uses the execution's events and timers)."""

    def schedule_task(self, state, frame):
        if state.pattern == "wait_for_task_token":
            frame.token = self.token_factory()  # before Parameters, which may pass on $$.Task.Token
        parameters = state.flow.effective_input(frame.data, frame)
        timeout = state.seconds(frame, "timeout")
        heartbeat = state.seconds(frame, "heartbeat")
        frame.task_limits = (timeout, heartbeat)
        effect_id = self._effect_id()
        frame.effect = effect_id
        self.pending[effect_id] = frame.id
        details = {"resourceType": state.resource_type, "resource": state.resource_name,
                   "region": self.region, "parameters": parameters}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        if state.resource_type == "lambda" and state.resource_name == "function":
            self._event(frame, "LambdaFunctionScheduled", {"resource": state.resource_arn, "input": parameters,
                                                           **({"timeoutInSeconds": timeout} if timeout else {})})
            self._event(frame, "LambdaFunctionStarted")
        elif state.resource_type == "activity":
            self._event(frame, "ActivityScheduled", {"resource": state.resource_arn, "input": parameters,
                                                     **({"timeoutInSeconds": timeout} if timeout else {}),
                                                     **({"heartbeatInSeconds": heartbeat} if heartbeat else {})})
        else:
            self._event(frame, "TaskScheduled", details)
            self._event(frame, "TaskStarted", {"resourceType": state.resource_type, "resource": state.resource_name})
        if timeout is not None:
            self._timer(frame, self.now() + timeout, "timeout")
        if heartbeat is not None:
            self._timer(frame, self.now() + heartbeat, "heartbeat")
        frame.task_input = parameters
        self._step.effects.append(self._invoke_effect(frame, state, effect_id, parameters))
        return BLOCKED

    def _invoke_effect(self, frame, state, effect_id, parameters):
        attempt = frame.retry_count
        return InvokeTask(
            id=effect_id, key=f"{self.execution_context['Id']}/{frame.id}/{frame.entered_id}/{state.name}/{attempt}",
            resource=state.resource, input=parameters, state=state.name, attempt=attempt,
            pattern=state.pattern, token=frame.token,
            timeout_seconds=frame.task_limits[0],
            heartbeat_seconds=frame.task_limits[1],
            context=frame.context,
        )

    @property
    def region(self) -> str:
        parts = self.execution_context["Id"].split(":")
        return parts[3] if len(parts) > 3 else "us-east-1"

    def _claim(self, effect_id, kind):
        """The frame waiting on this task effect, or None for a late or unknown answer."""
        frame_id = self.pending.get(effect_id)
        frame = self.frames.get(frame_id)
        if frame is None or frame.effect != effect_id or frame.status != BLOCKED_ON:
            return None
        del self.pending[effect_id]
        frame.effect = None
        frame.task_input = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        return frame

    def _task_succeeded(self, frame, state, result):
        frame.token = None
        kind = self._task_event_kind(state)
        result_depth = depth_of(result)
        result_size = size_in_bytes(result) if result_depth <= MAX_DEPTH else PAYLOAD_LIMIT + 1
        if result_depth > MAX_DEPTH:
            return self._task_failed(frame, state, "States.DataLimitExceeded",
                                     f"The state/task '{state.name}' returned a result nested more than {MAX_DEPTH} "
                                     "levels deep, Statelight's limit for any JSON value.")
        if result_size > PAYLOAD_LIMIT:
            # AWS records the task as failed, naming the resource (the function ARN, or 'lambda' for lambda:invoke)
            who = state.resource_arn if kind != "Task" else state.resource_type
            return self._task_failed(frame, state, "States.DataLimitExceeded",
                                     f"The state/task '{who}' returned a result with a size exceeding the maximum "
                                     "number of bytes service limit.")
        if kind == "Task":
            self._event(frame, "TaskSucceeded", {"resourceType": state.resource_type, "resource": state.resource_name,
                                                 "output": result})
        else:
            self._event(frame, kind + "Succeeded", {"output": result})
        frame.size += result_size
        frame.depth = max(frame.depth, result_depth)
        return state.next, state.flow.output(frame.data, result, frame)

    def _task_failed(self, frame, state, error, cause):
        frame.token = None
        kind = self._task_event_kind(state)
        details = {} if kind != "Task" else {"resourceType": state.resource_type, "resource": state.resource_name}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self._event(frame, kind + "Failed", details)
        failure = errors.StatesError(cause, error, verbatim=True)
        raise failure

    def _task_timed_out(self, frame, state, purpose):
        effect_id = frame.effect
        self.pending.pop(effect_id, None)
        frame.effect = None
        frame.token = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        self._step.effects.append(Cancel(effect_id))
        error = "States.Timeout" if purpose == "timeout" else "States.HeartbeatTimeout"
        kind = self._task_event_kind(state)
        details = {"error": error}
        if kind == "Task":
            details = {"resourceType": state.resource_type, "resource": state.resource_name, "error": error}
        self._event(frame, kind + "TimedOut", details)
        failure = errors.StatesError(None, error, verbatim=True)
        raise failure

    @staticmethod
    def _task_event_kind(state):
        if state.resource_type == "lambda" and state.resource_name == "function":
            return "LambdaFunction"
        if state.resource_type == "activity":
            return "Activity"
        return "Task"


def new_task_token() -> str:
    """256 random bits: a task token is a credential (whoever holds it answers the task).
    Hex, so it never starts with "-" (a command line would read that as an option)."""
    return os.urandom(32).hex()
