"""Step Functions Local mock test cases (MockConfigFile) for the durable runtime.

The file is named by the STATELIGHT_MOCK_CONFIG setting (or SFN_MOCK_CONFIG,
Step Functions Local's own variable); an execution names its test case when
it starts (`stateMachineArn#TestCase`, as Step Functions Local does; the API
splits the ARN). The responses are picked by call number per state, so the
counters are stored with the execution (Execution.mock_calls) and survive
restarts; the runtime answers mocked tasks itself, in the same transaction
as the step that scheduled them.
"""
from __future__ import annotations

import json
import os
import threading

from django.conf import settings

from engine.mocks import MockCase, MockConfigError, load_case

_lock = threading.Lock()
_cache = {}  # path -> (mtime, parsed config)


def config_path() -> str:
    return getattr(settings, "STATELIGHT_MOCK_CONFIG", "") or os.environ.get("SFN_MOCK_CONFIG", "")


def load_config() -> dict:
    """The parsed mock configuration file, re-read when it changes."""
    path = config_path()
    if not path:
        raise MockConfigError("no mock configuration: set STATELIGHT_MOCK_CONFIG (or SFN_MOCK_CONFIG) to a "
                              "Step Functions Local MockConfigFile")
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as e:
        raise MockConfigError(f"cannot read the mock configuration {path}: {e.strerror}") from None
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        raise MockConfigError(f"cannot read the mock configuration {path}: {e}") from None
    with _lock:
        _cache[path] = (mtime, config)
    return config


def case_for(test_case: str, machine_name: str, calls: dict | None = None) -> MockCase:
    """The test case of the machine, its call counters set to `calls`. Raises MockConfigError."""
    case = load_case(load_config(), test_case, machine_name)
    case.calls = dict(calls or {})
    return case


def answer(case: MockCase, state_name: str):
    """("ok", result) or ("error", error, cause) for the state's next call."""
    try:
        response = case.next_response(state_name)
    except MockConfigError as e:
        return "error", "States.TaskFailed", str(e)
    if "Return" in response:
        return "ok", response["Return"]
    thrown = response["Throw"] if isinstance(response["Throw"], dict) else {}
    return "error", thrown.get("Error"), thrown.get("Cause")


__all__ = ["MockConfigError", "answer", "case_for", "config_path", "load_config"]
