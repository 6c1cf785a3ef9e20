"""ValidateStateMachineDefinition and TestState."""
from __future__ import annotations

import engine
from designer import payloads, resources

from . import definitions
from .errors import ApiError
from .registry import operation
from .shapes import compact

MAX_DIAGNOSTICS = 100


@operation("ValidateStateMachineDefinition")
def validate_state_machine_definition(call):
    p = call.params
    definition = definitions.read(p, malformed="ValidationException")  # no InvalidDefinition here: diagnostics
    p.string("type", choices=["STANDARD", "EXPRESS"])
    severity = p.string("severity", choices=["ERROR", "WARNING"], default="ERROR")
    limit = p.integer("maxResults", minimum=0, maximum=MAX_DIAGNOSTICS, default=0) or MAX_DIAGNOSTICS
    problems = definitions.problems(definition, call.user)
    # ERROR: errors only; WARNING: errors and warnings (the minimum severity shown)
    shown = [pr for pr in problems if severity == "WARNING" or pr.severity == "ERROR"]
    diagnostics = [{"severity": pr.severity, "code": pr.code, "message": pr.message, "location": pr.path or "/"}
                   for pr in shown[:limit]]
    failed = any(pr.severity == "ERROR" for pr in problems)
    return {"result": "FAIL" if failed else "OK", "diagnostics": diagnostics, "truncated": len(shown) > limit}


@operation("TestState", slow=True)
def test_state(call):
    p = call.params
    definition = definitions.read(p)
    payload = definitions.read_payload(p, "input", "InvalidExecutionInput", default={})
    variables = definitions.read_payload(p, "variables", "InvalidExecutionInput")
    definitions.read_payload(p, "context", "InvalidExecutionInput")  # checked; the engine brings its own
    inspection = p.string("inspectionLevel", choices=["INFO", "DEBUG", "TRACE"], default="INFO")
    state_name = p.string("stateName", min_length=1, max_length=80)
    configuration = p.structure("stateConfiguration") or {}
    retry_count = configuration.get("retrierRetryCount", 0)
    if not isinstance(retry_count, int) or isinstance(retry_count, bool) or retry_count < 0:
        raise ApiError("ValidationException", "stateConfiguration.retrierRetryCount is a whole number >= 0")
    p.string("roleArn", max_length=256)
    p.boolean("revealSecrets")
    value, error = definitions.parse_json(definition)
    if error is not None:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'")
    try:
        result = engine.test_state(
            value, state_name=state_name, input=payload, variables=variables, mock=_mock(p),
            retrier_retry_count=retry_count, inspection_level=inspection, perform=_performer(call.user))
    except engine.InvalidDefinition as e:
        problems = getattr(e, "problems", None) or []
        shown = ", ".join(f"'{pr.code}: {pr.message} at {pr.path or '/'}'" for pr in problems) or str(e)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {shown}") from None
    except ValueError as e:  # no state of that name
        raise ApiError("ValidationException", str(e)) from None
    return compact(result)


def _mock(params) -> dict | None:
    """The API's mock (result as JSON text, or errorOutput) as the engine takes it."""
    mock = params.structure("mock")
    if mock is None:
        return None
    if "errorOutput" in mock:
        failure = mock["errorOutput"]
        if not isinstance(failure, dict):
            raise ApiError("SerializationException", "Member 'mock.errorOutput' must be a structure")
        return {"errorOutput": failure}
    result = mock.get("result")
    if not isinstance(result, str):
        raise ApiError("ValidationException", "mock needs a result (JSON text) or an errorOutput")
    try:
        return {"result": payloads.loads(result, what="mock.result")}
    except ValueError as e:
        raise ApiError("ValidationException", str(e)) from None


def _performer(user):
    """Without a mock the task really runs, through the app's task resources."""
    def perform(effect):
        outcome = resources.perform(resources.TaskRequest.from_effect(effect, owner_id=user.pk))
        if outcome.kind == "succeeded":
            return ("ok", outcome.result)
        if outcome.kind == "failed":
            return ("fail", outcome.error, outcome.cause)
        return ("fail", "States.Runtime", "TestState cannot wait for a callback, an activity or a child execution")
    return perform
