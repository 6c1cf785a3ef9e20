"""Step Functions Local mock configuration files (MockConfigFile).

    {"StateMachines": {"Name": {"TestCases": {"HappyPath": {"StateName": "ResponseName"}}}},
     "MockedResponses": {"ResponseName": {"0": {"Return": {...}}, "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

A test case maps Task state names to mocked responses; the n-th call of a
state (0-based, retries and Map iterations included) takes the response
whose key is n or a range "a-b" containing n.
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
"""
from __future__ import annotations

import re

_KEY = re.compile(r"^(\d+)(?:-(\d+))?$")


class MockConfigError(ValueError):
    """The mock configuration file or the chosen test case is not usable."""


class MockCase:
    """One test case: mocked responses by state name, with call counters."""

    def __init__(self, responses_by_state: dict):
        self.responses_by_state = responses_by_state
        self.calls = {}

    def mocks(self, state_name: str) -> bool:
        return state_name in self.responses_by_state

    def next_response(self, state_name: str) -> dict:
        """The response for this state's next call: {"Return": value} or {"Throw": {...}}."""
        n = self.calls.get(state_name, 0)
        self.calls[state_name] = n + 1
        table = self.responses_by_state[state_name]
        for low, high, response in table:
            if low <= n <= high:
                return response
        raise MockConfigError(f"the mocked response for state '{state_name}' has no entry for call number {n}")


def load_case(config, test_case: str, state_machine_name: str | None = None) -> MockCase:
    """The named test case of a parsed MockConfigFile."""
    if not isinstance(config, dict):
        raise MockConfigError("the mock configuration must be a JSON object")
    machines = config.get("StateMachines")
    if not isinstance(machines, dict) or not machines:
        raise MockConfigError("the mock configuration has no 'StateMachines' object")
    if state_machine_name is None:
        if len(machines) != 1:
            raise MockConfigError(
                f"the mock configuration has {len(machines)} state machines; choose one with --state-machine-name "
                f"({', '.join(sorted(machines))})")
        state_machine_name = next(iter(machines))
    machine = machines.get(state_machine_name)
    if not isinstance(machine, dict):
        raise MockConfigError(f"the mock configuration has no state machine named '{state_machine_name}'")
    cases = machine.get("TestCases")
    if not isinstance(cases, dict) or test_case not in cases:
        known = ", ".join(sorted(cases)) if isinstance(cases, dict) else "none"
        raise MockConfigError(f"state machine '{state_machine_name}' has no test case '{test_case}' (known: {known})")
    responses = config.get("MockedResponses")
    if not isinstance(responses, dict):
        raise MockConfigError("the mock configuration has no 'MockedResponses' object")
    by_state = {}
    case = cases[test_case]
    if not isinstance(case, dict):
        raise MockConfigError(f"test case '{test_case}' must map state names to mocked response names")
    for state_name, response_name in case.items():
        if response_name not in responses or not isinstance(responses[response_name], dict):
            raise MockConfigError(
                f"test case '{test_case}' maps state '{state_name}' to unknown mocked response '{response_name}'")
        by_state[state_name] = _table(response_name, responses[response_name])
    return MockCase(by_state)


def _table(name, entries):
    table = []
    for key, response in entries.items():
        match = _KEY.match(str(key))
        if match is None:
            raise MockConfigError(f"mocked response '{name}' has key '{key}': use a call number or a range like '1-3'")
        if not isinstance(response, dict) or len(response.keys() & {"Return", "Throw"}) != 1:
            raise MockConfigError(f"mocked response '{name}' call {key} must have exactly one of 'Return' or 'Throw'")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        table.append((low, high, response))
    return table
