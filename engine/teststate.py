"""TestState: run one state alone and report what it did, as the TestState API does.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html

The state runs inside a machine of its own whose transition targets are
placeholder Succeed states, so the engine's one data flow, error handling
and events serve here too. Retry is judged, not performed (RETRIABLE);
Wait states do not wait; a task is answered by `mock` or by `perform`.
"""
from __future__ import annotations

import time

from . import errors
from .effects import InvokeTask, StartTimer
from .execution import Execution
from .parsing import parse
from .serialize import to_json
from .states import Machine, matches
from .validation import validate


def test_state(definition: dict, *, state_name=None, input=None, variables=None, mock=None,
               retrier_retry_count=0, inspection_level="INFO", perform=None, clock=time.time) -> dict:
    """The TestState API's output for one state. `definition` is a state, or a machine with `state_name`.

    mock: {"result": JSON} or {"errorOutput": {"error", "cause"}}; perform(effect) -> ("ok", result)
    | ("fail", error, cause) answers tasks when there is no mock.
    """
    spec, query_language, name = _the_state(definition, state_name)
    # validated whole; run without Retry and Catch, which are judged here instead
    state = parse(_machine_for(spec, query_language, name)).states[name]
    machine = Machine(_machine_for({k: v for k, v in spec.items() if k not in ("Retry", "Catch")}, query_language,
                                   name, targets_of=spec))
    state_input = {} if input is None else input
    root_trace = {"input": state_input}
    execution = Execution(machine, state_input, clock=clock, variables=variables, trace=root_trace)
    events = _answer(execution, execution.start(), mock, perform)
    root = next(f for f in execution.frames.values() if f.parent is None)
    result = {"status": "SUCCEEDED"}
    if execution.status == "SUCCEEDED":
        result["output"] = to_json(execution.output)
        result["nextState"] = _next_state(events, name)
    else:
        result.update(_judge_failure(state, root, execution, retrier_retry_count, root_trace))
    if inspection_level in ("DEBUG", "TRACE"):
        result["inspectionData"] = {key: to_json(value) if key != "errorDetails" else value
                                    for key, value in root_trace.items()}
        if root.variables:
            result["inspectionData"]["variables"] = to_json(dict(root.variables))
    return result


def _the_state(definition, state_name):
    """(the state's spec, its query language, its name); InvalidDefinition for a definition of the
    wrong shape (checked by the validator, whatever the types inside), ValueError for no such state."""
    if not isinstance(definition, dict) or ("States" in definition and not isinstance(definition["States"], dict)):
        raise errors.InvalidDefinition([p for p in validate(definition) if p.severity == "ERROR"])
    if "States" not in definition:
        return definition, "JSONPath", state_name if isinstance(state_name, str) and state_name else "TestedState"
    states = definition["States"]
    if not isinstance(state_name, str) or state_name not in states:
        raise ValueError(f"the definition has no state named {state_name!r}")
    language = definition.get("QueryLanguage", "JSONPath")
    if not isinstance(states[state_name], dict) or language not in ("JSONPath", "JSONata"):
        raise errors.InvalidDefinition([p for p in validate(definition) if p.severity == "ERROR"])
    return states[state_name], language, state_name


def _machine_for(spec, query_language, name, targets_of=None):
    """A machine holding just the state and a placeholder Succeed state for each transition target."""
    tested, spec = spec, targets_of or spec
    targets = [spec.get("Next"), spec.get("Default")] + [item.get("Next") for field in ("Choices", "Catch")
                                                          for item in _listed(spec, field)]
    states = {t: {"Type": "Succeed"} for t in targets if isinstance(t, str) and t != name}
    states[name] = tested
    return {"QueryLanguage": query_language, "StartAt": name, "States": states}


def _listed(spec, field):
    """The objects listed in a field, whatever the field holds (the validator judges it)."""
    value = spec.get(field)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _answer(execution, step, mock, perform):
    """Answer the state's tasks and timers at once; return every event."""
    events = list(step.events)
    pending = list(step.effects)
    while pending and execution.status == "RUNNING":
        effect = pending.pop(0)
        if isinstance(effect, InvokeTask):
            if mock is not None:
                if "errorOutput" in mock:
                    failure = mock["errorOutput"] or {}
                    step = execution.fail(effect.id, failure.get("error"), failure.get("cause"))
                else:
                    step = execution.complete(effect.id, mock.get("result"))
            elif perform is not None:
                outcome = perform(effect)
                step = execution.complete(effect.id, outcome[1]) if outcome[0] == "ok" \
                    else execution.fail(effect.id, *outcome[1:])
            else:
                step = execution.fail(effect.id, "States.TaskFailed",
                                      f"TestState has no mock and nothing answers {effect.resource}")
        elif isinstance(effect, StartTimer) and effect.purpose in ("wait", "retry"):
            step = execution.fire(effect.id)
        else:
            continue
        events += step.events
        pending += step.effects
    return events


def _next_state(events, name):
    entered = [e.details["name"] for e in events if e.type.endswith("StateEntered")]
    return next((n for n in entered if n != name), None)


def _judge_failure(state, frame, execution, retry_count, trace):
    error, cause = execution.error, execution.cause
    out = {"status": "FAILED", "error": error, "cause": cause}
    for i, retrier in enumerate(state.retriers):
        if matches(retrier.errors, error):
            if retry_count < retrier.max_attempts:
                trace["errorDetails"] = {"retryIndex": i,
                                         "retryBackoffIntervalSeconds": int(retrier.delay(retry_count, frame.random))}
                return {**out, "status": "RETRIABLE"}
            break
    for i, catcher in enumerate(state.catchers):
        if matches(catcher.errors, error):
            error_output = {"Error": error} if cause is None else {"Error": error, "Cause": cause}
            output = state.flow.error_output(frame.data, error_output, catcher, frame)
            trace["errorDetails"] = {"catchIndex": i}
            return {**out, "status": "CAUGHT_ERROR", "output": to_json(output), "nextState": catcher.next}
    return out
