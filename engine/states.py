"""The eight state types, parsed once into immutable objects.

Each type holds its own fields and its own small step; the shared work
(input/output processing in dataflow.py; Retry/Catch, events and
scheduling in execution.py) lives in one place for all of them.
"""
from __future__ import annotations

from . import errors
from .choice import compile_rule
from .dataflow import flow_for, jsonata, read_path
from .jsonpath import compile_path
from .payload import compile_selector, compile_template
from .serialize import MAX_DEPTH, PAYLOAD_LIMIT, depth_of, size_in_bytes, to_json
from .timestamps import parse_timestamp

JSONATA = "JSONata"


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
    arguments = None  # the name of the state's Parameters field in JSONPath, if it has one

    def __init__(self, name: str, spec: dict, machine: Machine, pointer: str):
        self.name = name
        self.pointer = pointer
        self.jsonata = spec.get("QueryLanguage", machine.query_language) == JSONATA
        self.next = spec.get("Next")
        self.end = spec.get("End", False) is True
        self.comment = spec.get("Comment")
        self.entered_event = self.type + "StateEntered"
        self.exited_event = self.type + "StateExited"
        self.flow = flow_for(spec, self.jsonata, self.arguments)
        self.retriers = [Retrier(r) for r in spec.get("Retry", ())]
        self.catchers = [Catcher(c, self.flow) for c in spec.get("Catch", ())]
        # A bound on the output's size from the input's, so the 256 KiB limit is
        # measured (a serialisation) only when the bound could pass it; None: always
        # measure (Map and Parallel outputs, templates that can multiply their input).
        static = size_in_bytes([spec.get(k) for k in ("Parameters", "ResultSelector", "Arguments", "Output", "Result")])
        self.growth = None if self.type in ("Map", "Parallel") else self.flow.growth(static)
        # How many levels deeper than its input, result and variables its output can be, so the
        # nesting limit is measured only when it could be passed (None: always measure).
        self.nesting = None if self.type in ("Map", "Parallel") else self.flow.nesting(self.catchers)
        self._bound_limits()

    def _bound_limits(self):
        # (size factor, size constant, nesting): the engine's cheap bound of the output; None: measure it
        self.output_bound = None if self.growth is None or self.nesting is None else (*self.growth, self.nesting)

    def __repr__(self):
        return f"<{self.type} {self.name!r}>"

    def machines(self):
        return ()

    def field(self, spec, name, path_name=None):
        """A field given literally, by a JSONPath `...Path` twin, or by a JSONata expression:
        returns read(raw, scope) or None when the state has neither."""
        if self.jsonata:
            return self.flow.reader(spec[name], name) if name in spec else None
        if name in spec:
            value = spec[name]
            return lambda raw, scope: value
        if path_name and path_name in spec:
            path = compile_path(spec[path_name])
            flow = self.flow

            def read(raw, scope):
                return read_path(path, flow.filtered_input(raw, scope), scope, path_name)

            read.path = path
            return read
        return None


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
    __slots__ = ("errors", "next", "result_path", "assign", "output")

    def __init__(self, spec, flow):
        self.errors = tuple(spec["ErrorEquals"])
        self.next = spec["Next"]
        self.assign = flow.compile_assign(spec["Assign"]) if "Assign" in spec else None
        self.output = flow.compile_output(spec["Output"]) if flow.jsonata and "Output" in spec else None
        if "ResultPath" not in spec:
            self.result_path = compile_path("$")
        else:
            self.result_path = compile_path(spec["ResultPath"]) if spec["ResultPath"] is not None else None


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
    arguments = "Parameters"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.has_fixed_result = "Result" in spec and not self.jsonata
        self.result = spec.get("Result")
        self.result_too_large = self.has_fixed_result and size_in_bytes(self.result) > PAYLOAD_LIMIT
        if self.has_fixed_result and self.nesting is not None:
            self.nesting += depth_of(self.result)
            self._bound_limits()

    def run(self, ex, frame):
        raw = frame.data
        if self.has_fixed_result:
            if self.result_too_large:
                raise data_limit_exceeded(self.name)
            result = self.result
        else:
            result = self.flow.effective_input(raw, frame)
        return self.next, self.flow.output(raw, result, frame)


class Succeed(State):
    type = "Succeed"

    def run(self, ex, frame):
        return None, self.flow.passthrough(frame.data, frame)


class Fail(State):
    type = "Fail"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.error = self._message(spec, "Error", "ErrorPath")
        self.cause = self._message(spec, "Cause", "CausePath")

    def _message(self, spec, name, path_name):
        if not self.jsonata and path_name in spec:
            select = compile_selector(spec[path_name], path_name)  # a path or an intrinsic function
            return lambda raw, scope: select(raw, scope)
        return self.field(spec, name)

    def run(self, ex, frame):
        error = self._read(self.error, frame)
        cause = self._read(self.cause, frame)
        failure = errors.StatesError(cause, error, verbatim=True)
        raise failure

    def _read(self, read, frame):
        if read is None:
            return None
        value = read(frame.data, frame)
        if not isinstance(value, str):
            raise errors.Runtime(f"The value of the field of the Fail state '{self.name}' must be a string, "
                                 f"not {to_json(value)}")
        return value


class Choice(State):
    type = "Choice"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        flow = self.flow
        self.choices = [
            (self._condition(rule), rule["Next"],
             flow.compile_assign(rule["Assign"]) if "Assign" in rule else None,
             flow.compile_output(rule["Output"]) if self.jsonata and "Output" in rule else None)
            for rule in spec["Choices"]
        ]
        self.default = spec.get("Default")
        outputs = [output.nesting for _, _, _, output in self.choices if output is not None]
        if self.nesting is not None and outputs:
            self.nesting = None if None in outputs else self.nesting + max(outputs)
            self._bound_limits()

    def _condition(self, rule):
        if not self.jsonata:
            rule_test = compile_rule(rule)
            flow = self.flow
            return lambda raw, scope: rule_test(flow.filtered_input(raw, scope), scope)
        read = self.flow.reader(rule["Condition"], "Condition")

        def test(raw, scope):
            value = read(raw, scope)
            if not isinstance(value, bool):
                jsonata().check_type(value, "boolean", getattr(read, "expression", None), "Condition")
            return value

        return test

    def run(self, ex, frame):
        raw = frame.data
        for test, next_name, assign, output in self.choices:
            if test(raw, frame):
                return next_name, self.flow.passthrough(raw, frame, assign, output)
        if self.default is None:
            raise errors.NoChoiceMatched(f"No Matches! at the Choice state '{self.name}'")
        return self.default, self.flow.passthrough(raw, frame)


class Wait(State):
    type = "Wait"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.seconds = self.field(spec, "Seconds", "SecondsPath")
        self.timestamp = self.field(spec, "Timestamp", "TimestampPath")

    def due(self, frame) -> float:
        """When the wait ends, in epoch seconds."""
        if self.seconds is not None:
            value = self.seconds(frame.data, frame)
            if not _is_integer(value):
                raise self._bad("SecondsPath", "cannot be parsed as a long value", self.seconds, value)
            if value < 0:  # "The SecondsPath parameter references a negative value: $.s == -1"
                raise self._bad("SecondsPath", "references a negative value", self.seconds, value)
            return frame.entered_at + value
        value = self.timestamp(frame.data, frame)
        moment = parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            raise self._bad("TimestampPath", "does not reference a valid ISO-8601 extended offset date-time format "
                            "string", self.timestamp, value)
        return moment.timestamp()

    def _bad(self, path_field, problem, read, value):
        if self.jsonata:
            field = path_field.removesuffix("Path")
            if field == "Timestamp":
                return errors.QueryEvaluationError(
                    f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
                    f"{_plain(value)}")
            return errors.QueryEvaluationError(f"The Seconds field {problem}: {_plain(value)}")
        if hasattr(read, "path"):
            return errors.Runtime(f"The {path_field} parameter {problem}: {read.path.text} == {_plain(value)}")
        return errors.Runtime(f"The {path_field.removesuffix('Path')} field {problem}: {_plain(value)}")

    def run(self, ex, frame):
        due = self.due(frame)
        if due <= ex.now():
            return self.next, self.flow.passthrough(frame.data, frame)
        ex.start_timer(frame, due, "wait")
        return BLOCKED

    def on_timer(self, ex, frame, purpose):
        return self.next, self.flow.passthrough(frame.data, frame)


class Task(State):
    type = "Task"
    arguments = "Parameters"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        self.resource = spec["Resource"]
        self.resource_arn, self.pattern = split_integration_pattern(self.resource)
        self.resource_type, self.resource_name = describe_resource(self.resource_arn)
        self.timeout = self.field(spec, "TimeoutSeconds", "TimeoutSecondsPath")
        self.heartbeat = self.field(spec, "HeartbeatSeconds", "HeartbeatSecondsPath")

    def run(self, ex, frame):
        return ex.schedule_task(self, frame)

    def seconds(self, frame, kind):
        """The task's timeout or heartbeat in seconds, or None."""
        read, field = (self.timeout, "TimeoutSeconds") if kind == "timeout" else (self.heartbeat, "HeartbeatSeconds")
        if read is None:
            return None
        value = read(frame.data, frame)
        if not _is_integer(value) or value <= 0:
            where = read.path.text if hasattr(read, "path") else field
            raise (errors.QueryEvaluationError if self.jsonata else errors.Runtime)(
                f"The {field} field refers to value \"{_plain(value)}\" which is not a valid positive integer: {where}")
        return int(value)


class Parallel(State):
    type = "Parallel"
    arguments = "Parameters"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        query_language = JSONATA if self.jsonata else "JSONPath"
        self.branches = [Machine(branch, f"{pointer}/Branches/{i}", query_language)
                         for i, branch in enumerate(spec["Branches"])]

    def machines(self):
        return self.branches

    def run(self, ex, frame):
        return ex.start_parallel(self, frame)


class Map(State):
    type = "Map"

    def __init__(self, name, spec, machine, pointer):
        super().__init__(name, spec, machine, pointer)
        processor_field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor = spec[processor_field]
        self.processor = Machine(processor, f"{pointer}/{processor_field}", JSONATA if self.jsonata else "JSONPath")
        config = processor.get("ProcessorConfig", {})
        self.mode = config.get("Mode", "INLINE")
        self.execution_type = config.get("ExecutionType")
        self.items = self.field(spec, "Items") if self.jsonata else None
        self.items_path = compile_path(spec.get("ItemsPath", "$"))
        selector_field = "ItemSelector" if "ItemSelector" in spec else ("Parameters" if "Parameters" in spec else None)
        if selector_field is None:
            self.item_selector = None
        elif self.jsonata:
            self.item_selector = jsonata().compile_template(spec[selector_field], selector_field)
        else:
            self.item_selector = compile_template(spec[selector_field], selector_field)
        self.max_concurrency = self.field(spec, "MaxConcurrency", "MaxConcurrencyPath")
        self.tolerated_count = self.field(spec, "ToleratedFailureCount", "ToleratedFailureCountPath")
        self.tolerated_percentage = self.field(spec, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
        batcher = spec.get("ItemBatcher")
        self.batching = batcher is not None
        if self.batching:
            self.max_items_per_batch = self.field(batcher, "MaxItemsPerBatch", "MaxItemsPerBatchPath")
            self.max_bytes_per_batch = self.field(batcher, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
            batch_input = batcher.get("BatchInput")
            self.batch_input = None if batch_input is None else (
                jsonata().compile_template(batch_input, "BatchInput") if self.jsonata
                else compile_template(batch_input, "BatchInput"))
        self.label = spec.get("Label")

    def machines(self):
        return (self.processor,)

    def run(self, ex, frame):
        return ex.start_map(self, frame)

    def read_items(self, frame) -> list:
        raw = frame.data
        if self.jsonata:
            if self.items is None:
                items = raw
            else:
                items = self.items(raw, frame)
                expression = getattr(self.items, "expression", None)
                if expression is not None and not isinstance(items, list):
                    jsonata().check_type(items, "array", expression, "Items")
        else:
            items = read_path(self.items_path, self.flow.filtered_input(raw, frame), frame, "ItemsPath") \
                if self.items_path.text != "$" else self.flow.filtered_input(raw, frame)
        if not isinstance(items, list):
            raise (errors.QueryEvaluationError if self.jsonata else errors.Runtime)(
                f"Map state input must be an array but was: {to_json(items)}")
        return items

    def select_item(self, frame, index, item):
        """An iteration's input: the item, or ItemSelector evaluated with $$.Map.Item."""
        if self.item_selector is None:
            return item
        frame.map_item = (index, item)
        try:
            if self.jsonata:
                states = {"input": frame.data, "context": frame.context}
                return self.item_selector(states, frame.variables or {}, frame.random_source)
            return self.item_selector(self.flow.filtered_input(frame.data, frame), frame)
        finally:
            frame.map_item = None

    def batches(self, frame, items) -> list:
        """ItemBatcher: the iterations' inputs, {"Items": [...], "BatchInput": ...}, items selected first.
        https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html"""
        error = errors.QueryEvaluationError if self.jsonata else errors.Runtime
        max_items = self._number(frame, self.max_items_per_batch, "MaxItemsPerBatch", int, error)
        max_bytes = self._number(frame, self.max_bytes_per_batch, "MaxInputBytesPerBatch", int, error)
        if (max_items is not None and max_items <= 0) or (max_bytes is not None and max_bytes <= 0):
            raise error("The ItemBatcher's MaxItemsPerBatch and MaxInputBytesPerBatch must be positive.")
        shared = None
        if self.batch_input is not None:
            shared = (self.batch_input({"input": frame.data, "context": frame.context}, frame.variables or {},
                                       frame.random_source) if self.jsonata
                      else self.batch_input(self.flow.filtered_input(frame.data, frame), frame))
        batches, batch, size = [], [], 2
        for index, item in enumerate(items):
            item = self.select_item(frame, index, item)
            item_size = size_in_bytes(item) + 1
            full = (max_items is not None and len(batch) >= max_items) or (
                max_bytes is not None and batch and size + item_size > max_bytes)
            if full:
                batches.append(batch)
                batch, size = [], 2
            batch.append(item)
            size += item_size
        if batch:
            batches.append(batch)
        return [{"Items": b} if shared is None else {"BatchInput": shared, "Items": b} for b in batches]

    def limits(self, frame):
        """(MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage) for this run."""
        error = errors.QueryEvaluationError if self.jsonata else errors.Runtime
        concurrency = self._number(frame, self.max_concurrency, "MaxConcurrency", int, error)
        if concurrency is not None and concurrency < 0:
            raise error(f"Expected non-negative integer for MaxConcurrency, got '{concurrency}' instead.")
        count = self._number(frame, self.tolerated_count, "ToleratedFailureCount", int, error)
        if count is not None and count < 0:
            raise error("ToleratedFailureCount cannot be negative.")
        percentage = self._number(frame, self.tolerated_percentage, "ToleratedFailurePercentage", float, error)
        if percentage is not None and not 0 <= percentage <= 100:
            raise error("ToleratedFailurePercentage must be between 0 and 100.")
        return concurrency or 0, count, percentage

    def _number(self, frame, read, field, kind, error):
        if read is None:
            return None
        value = read(frame.data, frame)
        number = _as_number(value, kind)
        if number is None:
            where = read.path.text if hasattr(read, "path") else field
            raise error(f"The {field}{'Path' if hasattr(read, 'path') else ''} field refers to value "
                        f"\"{_plain(value)}\" which is not a valid {'integer' if kind is int else 'float'}: {where}")
        return number


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


def too_deep(state_name: str) -> errors.StatesError:
    failure = errors.DataLimitExceeded(
        f"The state/task '{state_name}' returned a result nested more than {MAX_DEPTH} levels deep, Statelight's "
        "limit for any JSON value.")
    failure.verbatim = True
    return failure


def data_limit_exceeded(state_name: str) -> errors.StatesError:
    failure = errors.DataLimitExceeded(
        f"The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes service limit.",
        verbatim=True)
    return failure


def _is_integer(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _as_number(value, kind):
    """A number, or a string holding one (AWS parses "1" as 1 here), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and kind is int:
        return int(value) if value.is_integer() else None
    return value if isinstance(value, (int, float)) else None


def _plain(value) -> str:
    return value if isinstance(value, str) else to_json(value)
