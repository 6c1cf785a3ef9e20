"""The whole definition: top-level fields, each States scope (the machine,
every Parallel branch, every Map item processor) and the graph inside it.

A scope is closed: Next, Default and Catch targets must name a state of the
same States object, and AWS reports, per scope, a target that names no state,
a state nothing transitions to ("not reachable"), and a scope with no
terminal state at all (which silences the "not reachable" ones).
"""
from __future__ import annotations

from collections import deque

from ..dependencies import MissingDependency
from ..serialize import MAX_DEPTH, depth_of

from .problems import (
    DUPLICATE_STATE_NAME,
    INTERNAL_VALIDATOR_ERROR,
    INVALID_STATE_NAME,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    TOO_DEEPLY_NESTED,
    UNREACHABLE_STATE,
    Problem,
    Report,
    kind,
    pointer,
    show,
)
from .states import JSONPATH, QUERY_LANGUAGES, check_state

MAX_SCOPE_DEPTH = 40          # Parallel/Map nesting; AWS refuses deep nesting as TOO_DEEPLY_NESTED
MAX_STATE_NAME = 80
MAX_TIMEOUT_SECONDS = 99999999
TOP_LEVEL_FIELDS = ("Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage")


class Machine:
    """Validation of one definition; `check_scope` recurses through nested scopes."""

    def __init__(self, report: Report, jsonata: bool, definition: dict):
        self.report = report
        self.jsonata = jsonata
        self.names: set[str] = set()   # state names seen so far: unique in the whole machine
        self.everywhere = _all_names(definition, 0, set())

    def check_scope(self, scope, ptr: str, depth: int, label: str, allowed: tuple) -> None:
        report = self.report
        if depth > MAX_SCOPE_DEPTH:
            report.error(ptr, TOO_DEEPLY_NESTED, f"The states are too deeply nested: {label} is more than "
                                                 f"{MAX_SCOPE_DEPTH} Parallel/Map levels deep. Flatten the workflow "
                                                 "or move the inner part to its own state machine.")
            return
        if not isinstance(scope, dict):
            report.schema(ptr, f"{label[0].upper() + label[1:]} must be an object with 'StartAt' and 'States', "
                               f"not {kind(scope)}.")
            return
        if depth > 0:
            for key in scope:
                if key not in allowed:
                    report.schema(ptr, f"Field '{key}' is not supported in {label}.")
        start = scope.get("StartAt")
        if "StartAt" not in scope:
            report.schema(ptr, f"These fields are required: [StartAt]. {label[0].upper() + label[1:]} needs "
                               "'StartAt': the name of its first state.")
        elif not isinstance(start, str) or not start:
            report.schema(pointer(ptr, "StartAt"), f"'StartAt' of {label} must be the name of a state, "
                                                   f"not {show(start)}.")
            start = None
        states = scope.get("States")
        if "States" not in scope:
            report.schema(ptr, f"These fields are required: [States]. {label[0].upper() + label[1:]} needs "
                               "'States': an object of named states.")
            return
        if not isinstance(states, dict) or not states:
            report.schema(pointer(ptr, "States"), f"'States' of {label} must be a non-empty object of named states, "
                                                  f"not {show(states)}.")
            return
        states_ptr = pointer(ptr, "States")

        results = {}
        for name, state in states.items():
            here = pointer(states_ptr, name)
            self._check_name(here, name)
            if not isinstance(state, dict):
                report.schema(here, f"State '{name}' must be an object with a 'Type', not {kind(state)}.")
                continue
            results[name] = check_state(report, self, here, name, state, depth)

        # Transitions that name no state of this scope.
        targeted = set()
        if isinstance(start, str):
            targeted.add(start)
            if start not in states:
                report.error(pointer(ptr, "StartAt"), MISSING_TRANSITION_TARGET, (
                    f"Missing 'Next' target: {start}. 'StartAt' of {label} names {show(start)}, but there is no "
                    f"such state in its 'States'{self._elsewhere(start)}. Name one of: {_names(states)}."))
        for source, result in results.items():
            for field_ptr, target in result.targets:
                targeted.add(target)
                if target not in states:
                    report.error(field_ptr, MISSING_TRANSITION_TARGET, (
                        f"Missing 'Next' target: {target}. State '{source}' transitions to {show(target)}, but there is "
                        f"no state of that name in the same 'States' object{self._elsewhere(target)}. "
                        f"Name one of: {_names(states)}."))

        if not any(result.terminal for result in results.values()):
            if results:
                report.error(ptr, MISSING_END_STATE, (
                    f"Workflow has no terminal state: no state of {label} ends it. Add \"End\": true to a state, "
                    "or a Succeed or Fail state."))
            return  # like AWS: no reachability report for a scope with no end

        for name in states:
            if name not in targeted:
                report.error(pointer(states_ptr, name), MISSING_TRANSITION_TARGET, (
                    f"State \"{name}\" is not reachable. No 'StartAt', 'Next', 'Default' or Catch 'Next' in {label} "
                    "names it: connect it from another state, or delete it."))
        if isinstance(start, str) and start in states:
            reached = _reachable(start, results)
            for name in states:
                if name in targeted and name not in reached:
                    report.warning(pointer(states_ptr, name), UNREACHABLE_STATE, (
                        f"State '{name}' can never run: only states that are themselves never reached transition "
                        f"to it from '{start}'."))

    def _check_name(self, ptr: str, name: str) -> None:
        if not name or len(name) > MAX_STATE_NAME:
            self.report.error(ptr, INVALID_STATE_NAME, (
                f"The state name {show(name)} is invalid: a state name must have 1 to {MAX_STATE_NAME} characters"
                + (f" (it has {len(name)})." if name else ".")))
        if name in self.names:
            self.report.error(ptr, DUPLICATE_STATE_NAME, (
                f"Duplicate State name: {name}. State names must be unique in the whole state machine, including "
                "inside Parallel branches and Map item processors: rename one of them."))
        self.names.add(name)

    def _elsewhere(self, target: str) -> str:
        if target in self.everywhere:
            return (" (a state of that name exists in another scope, but states inside a Parallel branch or a Map "
                    "item processor can only transition to states of the same branch or processor)")
        return ""


def _all_names(scope, depth: int, found: set) -> set:
    """Every state name in every scope (for hints only; nesting is bounded)."""
    states = scope.get("States") if isinstance(scope, dict) else None
    if depth > MAX_SCOPE_DEPTH or not isinstance(states, dict):
        return found
    for name, state in states.items():
        found.add(name)
        if not isinstance(state, dict):
            continue
        for key in ("ItemProcessor", "Iterator"):
            _all_names(state.get(key), depth + 1, found)
        if isinstance(state.get("Branches"), list):
            for branch in state["Branches"]:
                _all_names(branch, depth + 1, found)
    return found


def _names(states: dict, limit: int = 8) -> str:
    names = [repr(n) for n in list(states)[:limit]]
    return ", ".join(names) + (", ..." if len(states) > limit else "")


def _reachable(start: str, results: dict) -> set:
    seen, todo = {start}, deque([start])
    while todo:
        result = results.get(todo.popleft())
        if result is None:
            continue
        for _, target in result.targets:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def validate(definition) -> list[Problem]:
    """Every problem in an ASL definition; an empty list when AWS would accept it.

    Never raises, whatever JSON value it is given (only MissingDependency, when a package the
    checks need is not installed).
    """
    report = Report()
    try:
        _validate(definition, report)
    except MissingDependency:
        raise  # a broken installation, not a problem in the definition
    except Exception as e:  # a validator bug must not become the caller's crash
        report.error("", INTERNAL_VALIDATOR_ERROR,
                     f"The validator failed on this definition ({type(e).__name__}); the problems above may be "
                     "incomplete. Please report this definition.")
    return report.problems


def _validate(definition, report: Report) -> None:
    if depth_of(definition) > MAX_DEPTH:
        report.error("", TOO_DEEPLY_NESTED, f"The definition is nested more than {MAX_DEPTH} levels deep, "
                                            "Statelight's limit for any JSON value: flatten it.")
        return
    if not isinstance(definition, dict):
        report.schema("", f"A state machine definition must be a JSON object with 'StartAt' and 'States', "
                          f"not {kind(definition)}.")
        return
    for key in definition:
        if key not in TOP_LEVEL_FIELDS:
            report.schema("", f"Field '{key}' is not supported at the top level of a state machine definition "
                              f"(allowed: {', '.join(TOP_LEVEL_FIELDS)}).")
    if "Comment" in definition and not isinstance(definition["Comment"], str):
        report.schema("/Comment", f"'Comment' must be a string, not {kind(definition['Comment'])}.")
    if "Version" in definition and definition["Version"] != "1.0":
        report.schema("/Version", f"'Version' must be \"1.0\", not {show(definition['Version'])}.")
    if "TimeoutSeconds" in definition:
        timeout = definition["TimeoutSeconds"]
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
            report.schema("/TimeoutSeconds", f"'TimeoutSeconds' of the state machine must be an integer from 1 to "
                                             f"{MAX_TIMEOUT_SECONDS}, not {show(timeout)}.")
    language = definition.get("QueryLanguage", JSONPATH)
    if language not in QUERY_LANGUAGES:
        report.schema("/QueryLanguage", f"'QueryLanguage' must be 'JSONPath' or 'JSONata', not {show(language)}.")
    # AWS: only the exact string "JSONPath" selects JSONPath.
    machine = Machine(report, language != JSONPATH, definition)
    machine.check_scope(definition, "", 0, "the state machine", TOP_LEVEL_FIELDS)
