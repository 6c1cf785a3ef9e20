"""The eight state types, parsed once into immutable objects.

Each type holds its own fields and its own small step; the shared work
(input/output processing, Retry/Catch, events, scheduling) lives in
dataflow.py and execution.py.
"""
from __future__ import annotations

from . import errors
from .choice import compile_rule
from .dataflow import JsonPathFlow
from .jsonpath import compile_path

_ROOT = compile_path("$")
from .serialize import PAYLOAD_LIMIT, size_in_bytes

# "the largest integer, in practice no timeout": AWS's default for Task.
DEFAULT_TASK_TIMEOUT = 99999999


class Machine:
    """A StartAt + States scope: the whole definition, a Parallel branch or a Map's processor."""

    def __init__(self, spec: dict, pointer: str = "", query_language: str = "JSONPath"):
        self.pointer = pointer
        self.start_at = spec["StartAt"]
        self.query_language = spec.get("QueryLanguage", query_language)
        self.timeout_seconds = spec.get("TimeoutSeconds")
        self.comment = spec.get("Comment")
        self.states = {
            name: STATE_TYPES[state["Type"]](name, state, self, f"{pointer}/States/{_escape(name)}")
            for name, state in spec["States"].items()
        }

    def walk(self):
        """Every Machine in this scope and below it, this one first."""
        yield self
        for state in self.states.values():
            for child in state.machines():
                yield from child.walk()


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class State:
    type = ""
    has_result = False
    parameters_field = None

    def __init__(self, name: str, spec: dict, machine: Machine, pointer: str):
        self.name = name
        self.pointer = pointer
        self.query_language = spec.get("QueryLanguage", machine.query_language)
        self.next = spec.get("Next")
        self.end = spec.get("End", False) is True
        self.comment = spec.get("Comment")
        self.entered_event = self.type + "StateEntered"
        self.exited_event = self.type + "StateExited"
        self.flow = JsonPathFlow(spec, parameters=self.parameters_field)
        self.retriers = [Retrier(r) for r in spec.get("Retry", ())]
        self.catchers = [Catcher(c) for c in spec.get("Catch", ())]
        # Whether the output can be larger than the input and the results
        # measured on arrival, so only then is the 256 KiB limit checked.
        places_result = self.has_result and self.flow.result_path not in (None, _ROOT)
        self.output_may_grow = self.flow.may_grow() or places_result or self.type in ("Map", "Parallel")

    def __repr__(self):
        return f"<{self.type} {self.name!r}>"

    def machines(self):
        return ()


class Retrier:
    __slots__ = ("errors", "interval", "max_attempts", "backoff", "max_delay", "jitter")

    def __init__(self, spec):
        self.errors = tuple(spec["ErrorEquals"])
        self.interval = spec.get("IntervalSeconds", 1)
        self.max_attempts = spec.get("MaxAttempts", 3)
        self.backoff = spec.get("BackoffRate", 2.0)
        self.max_delay = spec.get("MaxDelaySeconds")
        self.jitter = spec.get("JitterStrategy", "NONE")

    def delay(self, attempt: int, random) -> float:
        """Seconds before retry number `attempt` (0-based), as AWS computes it."""
        delay = self.interval * self.backoff ** attempt
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if self.jitter == "FULL":
            delay = random.uniform(0, delay)
        return delay


class Catcher:
    __slots__ = ("errors", "next", "result_path", "assign")

    def __init__(self, spec):
        from .payload import compile_template

        self.errors = tuple(spec["ErrorEquals"])
        self.next = spec["Next"]
        self.assign = compile_template(spec["Assign"], "Assign") if "Assign" in spec else None
        self.result_path = compile_path(spec["ResultPath"]) if spec.get("ResultPath") is not None else (
            None if "ResultPath" in spec else compile_path("$"))


def matches(names: tuple, error: str | None) -> bool:
    """Whether an ErrorEquals list names this error (States.ALL with its exceptions)."""
    if error in errors.NEVER_HANDLED:
        return False
    for name in names:
        if name == error or (name == errors.ALL and error not in errors.NOT_MATCHED_BY_ALL):
            return True
        # "States.TaskFailed ... acts as a wildcard that matches any known error name except for
        # States.Timeout": any error a task reports, though not the engine's own States.* errors.
        if name == "States.TaskFailed" and error is not None and not error.startswith("States."):
            return True
    return False


class Pass(State):
    type = "Pass"
    parameters_field = "Parameters"
    has_result = True

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.has_fixed_result = "Result" in spec
        self.result = spec.get("Result")
        self.result_too_large = self.has_fixed_result and size_in_bytes(self.result) > PAYLOAD_LIMIT

    def run(self, ex, frame):
        raw = frame.data
        flow = self.flow
        if self.has_fixed_result:
            if self.result_too_large:
                raise data_limit_exceeded(self.name)
            result = self.result
        else:
            result = flow.effective_input(raw, frame)
        output = flow.output(raw, result, frame)
        return self.next, output


class Succeed(State):
    type = "Succeed"

    def run(self, ex, frame):
        return None, self.flow.passthrough(frame.data, frame)


class Fail(State):
    type = "Fail"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.error = spec.get("Error")
        self.cause = spec.get("Cause")
        self.error_path = compile_path(spec["ErrorPath"]) if "ErrorPath" in spec else None
        self.cause_path = compile_path(spec["CausePath"]) if "CausePath" in spec else None

    def run(self, ex, frame):
        error = self._read(self.error_path, "ErrorPath", frame) if self.error_path else self.error
        cause = self._read(self.cause_path, "CausePath", frame) if self.cause_path else self.cause
        failure = errors.StatesError(cause, error)
        failure.verbatim = True
        raise failure

    def _read(self, path, field, frame):
        from .payload import compile_selector  # the same lookup and message as a `.$` field

        value = compile_selector(path.text, field)(frame.data, frame)
        if not isinstance(value, str):
            raise errors.Runtime(f"The value at the path '{path.text}' specified for the field '{field}' must be a string")
        return value


class Choice(State):
    type = "Choice"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        from .payload import compile_template

        self.choices = [
            (compile_rule(rule), rule["Next"], compile_template(rule["Assign"], "Assign") if "Assign" in rule else None)
            for rule in spec["Choices"]
        ]
        self.default = spec.get("Default")

    def run(self, ex, frame):
        raw = frame.data
        data = self.flow.filtered_input(raw, frame)
        for test, next_name, assign in self.choices:
            if test(data, frame):
                return next_name, self.flow.passthrough(raw, frame, assign)
        if self.default is None:
            raise errors.NoChoiceMatched(f"No Matches! at the Choice state '{self.name}'")
        return self.default, self.flow.passthrough(raw, frame)


class Wait(State):
    type = "Wait"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.seconds = spec.get("Seconds")
        self.timestamp = spec.get("Timestamp")
        self.seconds_path = compile_path(spec["SecondsPath"]) if "SecondsPath" in spec else None
        self.timestamp_path = compile_path(spec["TimestampPath"]) if "TimestampPath" in spec else None

    def due(self, ex, frame) -> float:
        """When the wait ends, in epoch seconds."""
        from .timestamps import parse_timestamp

        if self.seconds is not None:
            return frame.entered_at + self.seconds
        if self.timestamp is not None:
            return parse_timestamp(self.timestamp).timestamp()
        data = self.flow.filtered_input(frame.data, frame)
        if self.seconds_path is not None:
            value = _resolve_field(self.seconds_path, data, frame, "SecondsPath")
            if not _is_integer(value):
                raise errors.Runtime(
                    f"The SecondsPath parameter cannot be parsed as a long value: {self.seconds_path.text} == {_plain(value)}")
            return frame.entered_at + max(value, 0)
        value = _resolve_field(self.timestamp_path, data, frame, "TimestampPath")
        moment = parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            raise errors.Runtime(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                f"format string: {self.timestamp_path.text} == {_plain(value)}")
        return moment.timestamp()

    def run(self, ex, frame):
        due = self.due(ex, frame)
        if due <= ex.now():
            return self.next, self.flow.passthrough(frame.data, frame)
        ex.start_timer(frame, due, "wait")
        return BLOCKED

    def on_timer(self, ex, frame, purpose):
        return self.next, self.flow.passthrough(frame.data, frame)


class Task(State):
    type = "Task"
    parameters_field = "Parameters"
    has_result = True

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.resource = spec["Resource"]
        self.resource_arn, self.pattern = split_integration_pattern(self.resource)
        self.resource_type, self.resource_name = describe_resource(self.resource_arn)
        self.timeout_seconds = spec.get("TimeoutSeconds")
        self.timeout_path = compile_path(spec["TimeoutSecondsPath"]) if "TimeoutSecondsPath" in spec else None
        self.heartbeat_seconds = spec.get("HeartbeatSeconds")
        self.heartbeat_path = compile_path(spec["HeartbeatSecondsPath"]) if "HeartbeatSecondsPath" in spec else None

    def run(self, ex, frame):
        return ex.schedule_task(self, frame)

    def seconds(self, frame, fixed, path, field):
        if path is None:
            return fixed
        value = _resolve_field(path, self.flow.filtered_input(frame.data, frame), frame, field)
        if not _is_integer(value) or value <= 0:
            raise errors.Runtime(f"The {field} field refers to value \"{_plain(value)}\" which is not a valid positive integer: {path.text}")
        return value


class Parallel(State):
    type = "Parallel"
    parameters_field = "Parameters"
    has_result = True

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.branches = [
            Machine(branch, f"{pointer}/Branches/{i}", self.query_language) for i, branch in enumerate(spec["Branches"])
        ]

    def machines(self):
        return self.branches

    def run(self, ex, frame):
        return ex.start_parallel(self, frame)


class Map(State):
    type = "Map"
    has_result = True

    def __init__(self, name, spec, machine, pointer):
        self.parameters_field = None
        super().__init__(name, spec, machine, pointer)
        processor_field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor = spec[processor_field]
        self.processor = Machine(processor, f"{pointer}/{processor_field}", self.query_language)
        config = processor.get("ProcessorConfig", {})
        self.mode = config.get("Mode", "INLINE")
        self.execution_type = config.get("ExecutionType")
        self.items_path = compile_path(spec.get("ItemsPath", "$"))
        selector_field = "ItemSelector" if "ItemSelector" in spec else ("Parameters" if "Parameters" in spec else None)
        from .payload import compile_template

        self.item_selector = compile_template(spec[selector_field], selector_field) if selector_field else None
        self.max_concurrency = spec.get("MaxConcurrency", 0)
        self.max_concurrency_path = _optional(spec, "MaxConcurrencyPath")
        self.tolerated_count = spec.get("ToleratedFailureCount")
        self.tolerated_count_path = _optional(spec, "ToleratedFailureCountPath")
        self.tolerated_percentage = spec.get("ToleratedFailurePercentage")
        self.tolerated_percentage_path = _optional(spec, "ToleratedFailurePercentagePath")
        self.label = spec.get("Label")
        self.item_batcher = spec.get("ItemBatcher")
        self.item_reader = spec.get("ItemReader")
        self.result_writer = spec.get("ResultWriter")

    def machines(self):
        return (self.processor,)

    def run(self, ex, frame):
        return ex.start_map(self, frame)


def _optional(spec, field):
    return compile_path(spec[field]) if field in spec else None


class _Blocked:
    def __repr__(self):
        return "BLOCKED"


# What run() returns when the state waits for an effect or for its children.
BLOCKED = _Blocked()


STATE_TYPES = {cls.type: cls for cls in (Pass, Succeed, Fail, Choice, Wait, Task, Parallel, Map)}


def split_integration_pattern(resource: str):
    """`arn:...:lambda:invoke.waitForTaskToken` -> (`arn:...:lambda:invoke`, "wait_for_task_token")."""
    for suffix, pattern in ((".waitForTaskToken", "wait_for_task_token"), (".sync:2", "sync:2"), (".sync", "sync")):
        if resource.endswith(suffix) and resource.startswith("arn:aws:states:::"):
            return resource[: -len(suffix)], pattern
    return resource, "request_response"


def describe_resource(arn: str):
    """(resourceType, resource) as TaskScheduled events name them."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return "lambda", "function"
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return "activity", parts[6]
    if arn.startswith("arn:aws:states:::") and len(parts) >= 7:
        service = parts[5]
        if service == "aws-sdk" and len(parts) >= 8:
            return f"aws-sdk:{parts[6]}", ":".join(parts[7:])
        return service, ":".join(parts[6:])
    return "custom", arn


def data_limit_exceeded(state_name: str) -> errors.StatesError:
    failure = errors.DataLimitExceeded(
        f"The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes service limit.")
    failure.verbatim = True
    return failure


def _resolve_field(path, data, frame, field):
    from .jsonpath import PathNotFound

    try:
        return path.resolve(data, frame.context, frame.variables)
    except PathNotFound:
        from .serialize import to_json

        raise errors.Runtime(
            f"The JSONPath '{path.text}' specified for the field '{field}' could not be found in the input '{to_json(data)}'"
        ) from None


def _is_integer(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _plain(value) -> str:
    from .serialize import to_json

    return value if isinstance(value, str) else to_json(value)
