"""ValidateStateMachineDefinition and TestState."""
from __future__ import annotations

import engine

from . import definitions
from .errors import ApiError
from .registry import operation
from .shapes import compact

MAX_DIAGNOSTICS = 100


@operation("ValidateStateMachineDefinition")
def validate_state_machine_definition(call):
    p = call.params
    definition = definitions.read(p)
    p.string("type", choices=["STANDARD", "EXPRESS"])
    severity = p.string("severity", choices=["ERROR", "WARNING"], default="ERROR")
    limit = p.integer("maxResults", minimum=0, maximum=MAX_DIAGNOSTICS, default=0) or MAX_DIAGNOSTICS
    problems = definitions.problems(definition)
    # ERROR: errors only; WARNING: errors and warnings (the minimum severity shown)
    shown = [pr for pr in problems if severity == "WARNING" or pr.severity == "ERROR"]
    diagnostics = [{"severity": pr.severity, "code": pr.code, "message": pr.message, "location": pr.path or "/"}
                   for pr in shown[:limit]]
    failed = any(pr.severity == "ERROR" for pr in problems)
    return {"result": "FAIL" if failed else "OK", "diagnostics": diagnostics, "truncated": len(shown) > limit}


@operation("TestState")
def test_state(call):
    p = call.params
    definition = definitions.read(p)
    payload = definitions.read_payload(p, "input", "InvalidExecutionInput", default="{}")
    variables = definitions.read_payload(p, "variables", "InvalidExecutionInput")
    context = definitions.read_payload(p, "context", "InvalidExecutionInput")
    inspection = p.string("inspectionLevel", choices=["INFO", "DEBUG", "TRACE"], default="INFO")
    state_name = p.string("stateName", min_length=1, max_length=80)
    mock = p.structure("mock")
    configuration = p.structure("stateConfiguration")
    p.string("roleArn", max_length=256)
    p.boolean("revealSecrets")
    run = getattr(engine, "test_state", None)
    if run is None:
        raise ApiError("ValidationException", "TestState is not available in this Statelight version yet: the "
                                              "engine has no test_state. Use ValidateStateMachineDefinition or start "
                                              "an execution.")
    value, error = definitions.parse_json(definition)
    if error is not None:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'")
    try:
        result = run(value, input=payload, state_name=state_name, inspection_level=inspection,
                     variables=variables, context=context, mock=mock, state_configuration=configuration)
    except engine.InvalidDefinition as e:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {e}") from None
    return compact(result if isinstance(result, dict) else result.to_dict())
