"""Every recorded AWS case in ../shared/conformance, run in-process (fast clock).

The judging rules are the corpus's own (its README): status, then output
for SUCCEEDED, error and cause for FAILED; volatile cases compare status
and error only. Numbers compare by value, bool is never a number.
"""
import json

import pytest

import engine
from engine.mocks import load_case

from .shared import CONFORMANCE, case_ids, same_json



def run_case(case_id):
    case = CONFORMANCE / case_id
    definition = json.loads((case / "definition.json").read_text())
    expected = json.loads((case / "expected.json").read_text())
    mock_case = None
    if (case / "mocks.json").exists():
        mock_case = load_case(json.loads((case / "mocks.json").read_text()), expected.get("mock_test_case", "Recorded"))
    result = engine.run(engine.parse(definition), json.loads((case / "input.json").read_text()),
                        mock_case=mock_case, fast_time=True, state_machine_name=case_id, seed=1)
    return definition, expected, result


@pytest.mark.parametrize("case_id", case_ids())
def test_it_matches_the_result_recorded_on_aws(case_id):
    definition, expected, result = run_case(case_id)
    assert result.status == expected["status"], (result.error, result.cause)
    if expected["status"] == "SUCCEEDED" and not expected.get("volatile"):
        assert same_json(result.output, expected.get("output")), result.output
    if expected["status"] == "FAILED":
        assert result.error == expected.get("error")
        if not expected.get("volatile"):
            assert result.cause == expected.get("cause")
