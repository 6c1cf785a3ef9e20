"""One state: its type, the fields its type and query language allow, each
field's type and range, Next/End (Retry and Catch: retry_catch.py).

The field table says, for every field, which query language owns it and how
its value is checked; the type table says which fields each state type takes.
"""
from __future__ import annotations

import math
import re

from .choice import check_choices, is_timestamp
from .expressions import (
    check_assign,
    check_jsonata,
    check_jsonata_value,
    check_template,
    jsonata_body,
    path_error,
    path_or_intrinsic_error,
)
from .problems import (
    INVALID_RESOURCE,
    NEITHER_NEXT_NOR_END,
    NO_PATH,
    PASS_RESULT_IS_STATIC,
    Report,
    kind,
    pointer,
    show,
)
from .retry_catch import MAX_SECONDS, check_catch, check_retry

JSONPATH, JSONATA = "JSONPath", "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)


class StateCheck:
    """What one state's check needs: where it is, what it is, and where to report."""

    __slots__ = ("report", "machine", "ptr", "name", "state", "type", "jsonata", "depth")

    def __init__(self, report, machine, ptr, name, state, type_, jsonata, depth):
        self.report: Report = report
        self.machine = machine
        self.ptr = ptr
        self.name = name
        self.state = state
        self.type = type_
        self.jsonata = jsonata
        self.depth = depth

    def at(self, *tokens) -> str:
        return pointer(self.ptr, *tokens)

    @property
    def label(self) -> str:
        return f"{self.type} state '{self.name}'"


# --- value checks, one per kind of field ---------------------------------------


def _integer(c: StateCheck, key: str, value, minimum: int, maximum: int = MAX_SECONDS,
             expression_ok: bool = True) -> None:
    if c.jsonata and expression_ok and jsonata_body(value) is not None:
        check_jsonata(c.report, c.at(key), jsonata_body(value), c.name, key)
        return
    if not isinstance(value, int) or isinstance(value, bool):
        also = " or a JSONata expression \"{% ... %}\"" if c.jsonata and expression_ok else ""
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be an integer{also}, not {kind(value)} ({show(value)}).")
    elif not minimum <= value <= maximum:
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be between {minimum} and {maximum}, not {show(value)}.")


def _positive(c, key, value):
    _integer(c, key, value, 1)


def _non_negative(c, key, value):
    _integer(c, key, value, 0)


def _percentage(c: StateCheck, key: str, value) -> None:
    if c.jsonata and jsonata_body(value) is not None:
        check_jsonata(c.report, c.at(key), jsonata_body(value), c.name, key)
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool) or (isinstance(value, float) and math.isnan(value)):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be a number from 0 to 100, not {show(value)}.")
    elif not 0 <= value <= 100:
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be from 0 to 100, not {show(value)}.")


def _string(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, str):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be a string, not {kind(value)}.")


def _path(c: StateCheck, key: str, value) -> None:
    if value is None and key in ("InputPath", "OutputPath"):
        return  # null: the state sees {} / passes on {}
    why = path_error(value)
    if why:
        c.report.schema(c.at(key), f"The value for the field '{key}' must be a valid JSONPath ({c.label}): {why}.")


def _result_path(c: StateCheck, key: str, value) -> None:
    if value is None:
        return  # null: discard the result, keep the input
    why = path_error(value, reference=True)
    if why:
        c.report.schema(c.at(key), f"The value for the field '{key}' must be a valid ReferencePath ({c.label}): {why}.")


def _path_or_intrinsic(c: StateCheck, key: str, value) -> None:
    why = path_or_intrinsic_error(value)
    if why:
        c.report.schema(c.at(key), f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
                                   f"function call ({c.label}): {why}.")


def _template(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, dict):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be an object (a payload template), not {kind(value)}.")
        return
    check_template(c.report, c.at(key), value, c.name, key)


def _selector(c: StateCheck, key: str, value) -> None:
    # ItemSelector and Credentials: a payload template in JSONPath, a value with {% %} in JSONata
    if c.jsonata:
        if not isinstance(value, dict) and jsonata_body(value) is None:
            c.report.schema(c.at(key), f"'{key}' of {c.label} must be an object or a JSONata expression, not {kind(value)}.")
        check_jsonata_value(c.report, c.at(key), value, c.name, key)
    else:
        _template(c, key, value)


def _result(c: StateCheck, key: str, value) -> None:
    if isinstance(value, dict) and any(isinstance(k, str) and k.endswith(".$") for k in value):
        c.report.warning(c.at(key), PASS_RESULT_IS_STATIC, (
            f"'Result' of {c.label} has keys ending in '.$', but a Pass state's Result is used as it is: "
            "nothing in it is evaluated. Use 'Parameters' to select values from the input."))


def _arguments(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, dict) and jsonata_body(value) is None:
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be an object or a JSONata expression \"{{% ... %}}\", "
                                   f"not {kind(value)}.")
    check_jsonata_value(c.report, c.at(key), value, c.name, key)


def _output(c: StateCheck, key: str, value) -> None:
    result_ok = c.type in ("Task", "Parallel", "Map")
    check_jsonata_value(c.report, c.at(key), value, c.name, key, result_ok=result_ok)


def _items(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, list) and jsonata_body(value) is None:
        c.report.schema(c.at(key), f"'Items' of {c.label} must be an array or a JSONata expression, not {kind(value)}.")
    check_jsonata_value(c.report, c.at(key), value, c.name, key)


def _assign(c: StateCheck, key: str, value) -> None:
    check_assign(c.report, c.at(key), value, c.name, c.jsonata, result_ok=c.type in ("Task", "Parallel", "Map"))


def _timestamp(c: StateCheck, key: str, value) -> None:
    if c.jsonata and jsonata_body(value) is not None:
        check_jsonata(c.report, c.at(key), jsonata_body(value), c.name, key)
    elif not is_timestamp(value):
        c.report.schema(c.at(key), f"'Timestamp' of {c.label} must be an RFC 3339 timestamp such as "
                                   f"\"2016-03-14T01:59:00Z\" (uppercase T and Z), not {show(value)}.")


def _error_or_cause(c: StateCheck, key: str, value) -> None:
    if c.jsonata and jsonata_body(value) is not None:
        check_jsonata(c.report, c.at(key), jsonata_body(value), c.name, key)
    elif not isinstance(value, str):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be a string, not {kind(value)}.")
    elif not c.jsonata and (value.startswith("$.") or value.startswith("$$.") or value.startswith("States.")):
        c.report.warning(c.at(key), NO_PATH, (
            f"'{key}' of {c.label} is {show(value)}, which looks like a path or an intrinsic function, but '{key}' "
            f"is used as plain text. Use '{key}Path' to evaluate it."))


_ARN = re.compile(r"arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+\Z")


def _resource(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, str):
        c.report.schema(c.at(key), f"'Resource' of {c.label} must be a string (an ARN), not {kind(value)}.")
    elif not _ARN.match(value):
        c.report.error(c.at(key), INVALID_RESOURCE, (
            f"'Resource' of {c.label} is {show(value)}, which is not an ARN. Use e.g. "
            "\"arn:aws:states:::lambda:invoke\" or \"arn:aws:lambda:us-east-1:123456789012:function:Name\"."))


def _object(c: StateCheck, key: str, value) -> None:
    if not isinstance(value, dict):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be an object, not {kind(value)}.")
    elif c.jsonata:
        check_jsonata_value(c.report, c.at(key), value, c.name, key)


def _nothing(c, key, value):
    """Checked elsewhere (Type, Next, End, Choices, Branches, ...)."""


# field -> (query language that owns it, or None for both; value check)
FIELDS = {
    "Type": (None, _nothing),
    "Comment": (None, _string),
    "QueryLanguage": (None, _nothing),
    "Next": (None, _nothing),
    "End": (None, _nothing),
    "Assign": (None, _assign),
    "InputPath": (JSONPATH, _path),
    "OutputPath": (JSONPATH, _path),
    "ResultPath": (JSONPATH, _result_path),
    "Parameters": (JSONPATH, _template),
    "ResultSelector": (JSONPATH, _template),
    "Result": (JSONPATH, _result),
    "Arguments": (JSONATA, _arguments),
    "Output": (JSONATA, _output),
    # Task
    "Resource": (None, _resource),
    "TimeoutSeconds": (None, _positive),
    "TimeoutSecondsPath": (JSONPATH, _path),
    "HeartbeatSeconds": (None, _positive),
    "HeartbeatSecondsPath": (JSONPATH, _path),
    "Credentials": (None, _selector),
    "Retry": (None, _nothing),
    "Catch": (None, _nothing),
    # Choice
    "Choices": (None, _nothing),
    "Default": (None, _nothing),
    # Wait
    "Seconds": (None, _non_negative),
    "Timestamp": (None, _timestamp),
    "SecondsPath": (JSONPATH, _path),
    "TimestampPath": (JSONPATH, _path),
    # Fail
    "Error": (None, _error_or_cause),
    "Cause": (None, _error_or_cause),
    "ErrorPath": (JSONPATH, _path_or_intrinsic),
    "CausePath": (JSONPATH, _path_or_intrinsic),
    # Parallel
    "Branches": (None, _nothing),
    # Map
    "ItemProcessor": (None, _nothing),
    "Iterator": (None, _nothing),
    "ItemsPath": (JSONPATH, _path),
    "Items": (JSONATA, _items),
    "ItemSelector": (None, _selector),
    "ItemReader": (None, _object),
    "ItemBatcher": (None, _object),
    "ResultWriter": (None, _object),
    "MaxConcurrency": (None, _non_negative),
    "MaxConcurrencyPath": (JSONPATH, _path),
    "ToleratedFailurePercentage": (None, _percentage),
    "ToleratedFailurePercentagePath": (JSONPATH, _path),
    "ToleratedFailureCount": (None, _non_negative),
    "ToleratedFailureCountPath": (JSONPATH, _path),
    "Label": (None, _string),
}

_COMMON = ("Type", "Comment", "QueryLanguage")
_FLOW = ("Next", "End")
_IO = ("InputPath", "OutputPath", "Output")
_RESULT = ("Parameters", "ResultSelector", "ResultPath", "Arguments")
_ERRORS = ("Retry", "Catch")

STATE_TYPES = {
    "Pass": frozenset(_COMMON + _FLOW + _IO + ("Assign", "Parameters", "ResultPath", "Result")),
    "Task": frozenset(_COMMON + _FLOW + _IO + _RESULT + _ERRORS + (
        "Assign", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        "Credentials")),
    "Choice": frozenset(_COMMON + _IO + ("Assign", "Choices", "Default")),
    "Wait": frozenset(_COMMON + _FLOW + _IO + ("Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath")),
    "Succeed": frozenset(_COMMON + _IO),
    "Fail": frozenset(_COMMON + ("Error", "Cause", "ErrorPath", "CausePath")),
    "Parallel": frozenset(_COMMON + _FLOW + _IO + _RESULT + _ERRORS + ("Assign", "Branches")),
    "Map": frozenset(_COMMON + _FLOW + _IO + _ERRORS + (
        "Assign", "Parameters", "ResultSelector", "ResultPath", "ItemProcessor", "Iterator", "ItemsPath", "Items",
        "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
        "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
        "ToleratedFailureCountPath", "Label")),
}
TRANSITIONING = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})

# Pairs (or groups) of fields a state may hold at most one of.
EXCLUSIVE = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Wait": (("Seconds", "Timestamp", "SecondsPath", "TimestampPath"),),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (("ItemProcessor", "Iterator"), ("ItemSelector", "Parameters"), ("MaxConcurrency", "MaxConcurrencyPath"),
            ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
            ("ToleratedFailureCount", "ToleratedFailureCountPath"), ("ItemsPath", "Items")),
}


class StateResult:
    """What the graph checks need from one state."""

    __slots__ = ("targets", "terminal")

    def __init__(self):
        self.targets: list[tuple[str, str]] = []   # (pointer of the field, state name it names)
        self.terminal = False


def check_state(report: Report, machine, ptr: str, name: str, state: dict, depth: int) -> StateResult:
    out = StateResult()
    raw_type = state.get("Type")
    type_ = raw_type if isinstance(raw_type, str) else None  # a list can't be looked up in a dict
    if "Type" not in state:
        report.schema(ptr, f"These fields are required: [Type]. State '{name}' needs a 'Type': one of "
                           f"{', '.join(STATE_TYPES)}.")
    elif type_ not in STATE_TYPES:
        report.schema(pointer(ptr, "Type"), f"State '{name}' has Type {show(raw_type)}, which is not a state type: "
                                            f"use one of {', '.join(STATE_TYPES)}.")
    if type_ not in STATE_TYPES:
        # Still follow its transitions, so one bad Type does not cascade into
        # "not reachable" and "no terminal state" problems elsewhere.
        if isinstance(state.get("Next"), str):
            out.targets.append((pointer(ptr, "Next"), state["Next"]))
        out.terminal = state.get("End") is True
        return out

    jsonata = _query_language(report, machine, ptr, name, state)
    c = StateCheck(report, machine, ptr, name, state, type_, jsonata, depth)
    _check_fields(c)
    _check_exclusive(c)
    _check_transition(c, out)
    if type_ == "Task":
        _check_task(c)
    elif type_ == "Choice":
        out.targets += check_choices(report, ptr, name, state, jsonata)
        default = state.get("Default")
        if "Default" in state:
            if isinstance(default, str) and default:
                out.targets.append((pointer(ptr, "Default"), default))
            else:
                report.schema(pointer(ptr, "Default"), f"'Default' of Choice state '{name}' must be a state name, "
                                                       f"not {show(default)}.")
    elif type_ == "Wait":
        if not any(k in state for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")):
            report.schema(ptr, f"Wait state '{name}' must say how long to wait: add exactly one of 'Seconds', "
                               "'Timestamp'" + ("" if jsonata else ", 'SecondsPath', 'TimestampPath'") + ".")
    elif type_ in ("Succeed", "Fail"):
        out.terminal = True
    elif type_ == "Parallel":
        _check_branches(c)
    elif type_ == "Map":
        _check_map(c)
    if type_ in ("Task", "Parallel", "Map"):
        check_retry(c)
        out.targets += check_catch(c)
    return out


def _query_language(report: Report, machine, ptr: str, name: str, state: dict) -> bool:
    """Whether the state is evaluated as JSONata."""
    if "QueryLanguage" not in state:
        return machine.jsonata
    value = state["QueryLanguage"]
    if value not in QUERY_LANGUAGES:
        report.schema(pointer(ptr, "QueryLanguage"), f"'QueryLanguage' of state '{name}' must be 'JSONPath' or "
                                                     f"'JSONata', not {show(value)}.")
    elif value == JSONPATH and machine.jsonata:
        report.schema(ptr, f"'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine "
                           f"(state '{name}'). Remove it and use JSONata here, or set the machine's QueryLanguage "
                           "to JSONPath and mark the JSONata states one by one.")
    # AWS: only the exact string "JSONPath" selects JSONPath.
    return value != JSONPATH


def _check_fields(c: StateCheck) -> None:
    allowed = STATE_TYPES[c.type]
    mine = JSONATA if c.jsonata else JSONPATH
    for key, value in c.state.items():
        owner, check = FIELDS.get(key, (None, None))
        if key not in allowed or check is None:
            c.report.schema(c.ptr, f"Field '{key}' is not supported in {c.label}.{_hint(c, key)}")
        elif owner is not None and owner != mine:
            c.report.schema(c.ptr, (
                f"The QueryLanguage is set to '{mine}', but field '{key}' is only supported for the '{owner}' "
                f"QueryLanguage ({c.label}). {_language_hint(key, c.jsonata)}"))
        else:
            check(c, key, value)


def _hint(c: StateCheck, key: str) -> str:
    if key in _FLOW and c.type not in TRANSITIONING:
        return f" A {c.type} state " + ("ends the execution." if c.type != "Choice" else "chooses its next state in 'Choices' and 'Default'.")
    if key in ("Retry", "Catch", "TimeoutSeconds"):
        return f" Only {'Task' if key == 'TimeoutSeconds' else 'Task, Parallel and Map'} states take '{key}'."
    return ""


_EQUIVALENT = {
    "InputPath": "read $states.input in 'Arguments' or 'Output'",
    "Parameters": "use 'Arguments'",
    "ResultSelector": "use 'Output' with $states.result",
    "ResultPath": "use 'Output' (or 'Assign') to combine $states.input and $states.result",
    "OutputPath": "use 'Output'",
    "Result": "use 'Output'",
    "ItemsPath": "use 'Items'",
    "Arguments": "use 'Parameters'",
    "Output": "use 'ResultSelector', 'ResultPath' and 'OutputPath'",
    "Items": "use 'ItemsPath'",
}


def _language_hint(key: str, jsonata: bool) -> str:
    if key in _EQUIVALENT:
        return f"In a {'JSONata' if jsonata else 'JSONPath'} state, {_EQUIVALENT[key]}."
    if key.endswith("Path") and jsonata:
        return f"In a JSONata state, give '{key[:-4]}' a JSONata expression \"{{% ... %}}\" instead."
    return "Set \"QueryLanguage\" on the state to change its query language."


def _check_exclusive(c: StateCheck) -> None:
    for group in EXCLUSIVE.get(c.type, ()):
        present = [k for k in group if k in c.state]
        if len(present) > 1:
            c.report.schema(c.ptr, f"The following fields are mutually exclusive: {', '.join(present)} "
                                   f"({c.label}). Keep only one of them.")


def _check_transition(c: StateCheck, out: StateResult) -> None:
    if c.type not in TRANSITIONING:
        return  # Next/End are refused by the field check
    has_next, has_end = "Next" in c.state, "End" in c.state
    nxt, end = c.state.get("Next"), c.state.get("End")
    if has_next and (not isinstance(nxt, str) or not nxt):
        c.report.schema(c.at("Next"), f"'Next' of {c.label} must be the name of a state, not {show(nxt)}.")
    elif has_next:
        out.targets.append((c.at("Next"), nxt))
    if has_end and not isinstance(end, bool):
        c.report.schema(c.at("End"), f"'End' of {c.label} must be true, not {show(end)}.")
    if has_next and has_end:
        c.report.schema(c.ptr, f"{c.label} has both 'Next' and 'End': a state either goes on to the state named in "
                               "'Next' or ends the execution with \"End\": true. Remove one of them.")
    elif not has_next and end is not True:
        c.report.schema(c.ptr, (
            f"{c.label} {NEITHER_NEXT_NOR_END}" + (" (its 'End' is false)" if has_end else "") +
            f": AWS Step Functions requires every {c.type} state to either name the state that follows it in "
            "'Next' or end the execution with \"End\": true. Add \"Next\": \"<state name>\" or \"End\": true."))
    if end is True and not has_next:
        out.terminal = True


def _check_task(c: StateCheck) -> None:
    state = c.state
    if "Resource" not in state:
        c.report.schema(c.ptr, f"These fields are required: [Resource]. {c.label} needs a 'Resource' ARN, e.g. "
                               "\"arn:aws:states:::lambda:invoke\".")
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _plain_int(heartbeat) and heartbeat >= (timeout if _plain_int(timeout) else MAX_SECONDS):
        c.report.schema(c.at("HeartbeatSeconds"), (
            f"'HeartbeatSeconds' ({heartbeat}) of {c.label} must be smaller than 'TimeoutSeconds' "
            f"({timeout if _plain_int(timeout) else MAX_SECONDS}): a heartbeat interval longer than the whole "
            "timeout can never be missed."))


def _plain_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_branches(c: StateCheck) -> None:
    branches = c.state.get("Branches")
    if "Branches" not in c.state:
        c.report.schema(c.ptr, f"These fields are required: [Branches]. {c.label} needs 'Branches': an array of "
                               "{\"StartAt\": ..., \"States\": {...}} objects.")
        return
    if not isinstance(branches, list) or not branches:
        c.report.schema(c.at("Branches"), f"'Branches' of {c.label} must be a non-empty array of branches, not "
                                          f"{show(branches)}.")
        return
    for i, branch in enumerate(branches):
        c.machine.check_scope(branch, c.at("Branches", i), c.depth + 1, f"branch {i} of {c.label}",
                              ("StartAt", "States", "Comment"))


def _check_map(c: StateCheck) -> None:
    state = c.state
    key = "ItemProcessor" if "ItemProcessor" in state else "Iterator" if "Iterator" in state else None
    if key is None:
        c.report.schema(c.ptr, f"These fields are required: [ItemProcessor]. {c.label} needs an 'ItemProcessor': "
                               "{\"StartAt\": ..., \"States\": {...}} run for each item.")
    else:
        processor = state[key]
        ptr = c.at(key)
        if isinstance(processor, dict):
            _check_processor_config(c, ptr, processor)
        c.machine.check_scope(processor, ptr, c.depth + 1, f"the '{key}' of {c.label}",
                              ("StartAt", "States", "Comment", "ProcessorConfig"))
    if c.jsonata:
        return
    for key in ("ItemReader", "ResultWriter"):
        if isinstance(state.get(key), dict) and "Parameters" in state[key]:
            check_template(c.report, c.at(key, "Parameters"), state[key]["Parameters"], c.name, key)
    if isinstance(state.get("ItemBatcher"), dict) and "BatchInput" in state["ItemBatcher"]:
        check_template(c.report, c.at("ItemBatcher", "BatchInput"), state["ItemBatcher"]["BatchInput"], c.name,
                       "ItemBatcher")


_MODES = ("INLINE", "DISTRIBUTED")
_EXECUTION_TYPES = ("STANDARD", "EXPRESS")


def _check_processor_config(c: StateCheck, ptr: str, processor: dict) -> None:
    if "ProcessorConfig" not in processor:
        return
    config = processor["ProcessorConfig"]
    here = pointer(ptr, "ProcessorConfig")
    if not isinstance(config, dict):
        c.report.schema(here, f"'ProcessorConfig' of {c.label} must be an object, not {kind(config)}.")
        return
    for key in config:
        if key not in ("Mode", "ExecutionType"):
            c.report.schema(here, f"Field '{key}' is not supported in the ProcessorConfig of {c.label}.")
    mode = config.get("Mode", "INLINE")
    if mode not in _MODES:
        c.report.schema(pointer(here, "Mode"), f"'Mode' of {c.label} must be INLINE or DISTRIBUTED, not {show(mode)}.")
    if "ExecutionType" in config and config["ExecutionType"] not in _EXECUTION_TYPES:
        c.report.schema(pointer(here, "ExecutionType"), f"'ExecutionType' of {c.label} must be STANDARD or EXPRESS, "
                                                        f"not {show(config['ExecutionType'])}.")
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        c.report.schema(here, f"These fields are required: [ExecutionType]. A DISTRIBUTED {c.label} runs each batch "
                              "as a child workflow: add \"ExecutionType\": \"STANDARD\" or \"EXPRESS\".")
