"""Golden history transcripts, checked against the events AWS recorded.

For a set of conformance cases, our GetExecutionHistory events (engine.run with
keep_history) were compared by hand with the `get_execution_history` events AWS
Step Functions recorded for the same definition and input: the LocalStack
snapshot files the cases come from (repository localstack/localstack; each
fixture's `checked_against` names file, commit and key). Where the two agree
(modulo what is environmental: timestamps, ARNs, region, role, request ids),
`transcripts/<case>.json` holds OUR normalised transcript, and the golden test
fails whenever it changes.

Where they first disagreed (DIFFERENCES: each entry says what the engine
did differently before it was fixed), a test asserts the AWS event skeleton
(id, previousEventId, type, keys of the details member). To record such a
case's full golden transcript:

    STATELIGHT_UPDATE_TRANSCRIPTS=1 pytest tests/engine/test_history.py

rewrites the events of existing fixtures (keeping their provenance); a new case
needs its fixture created by hand with `checked_against` and `comment` filled in.

Normalisation: `timestamp` becomes `t`, seconds since ExecutionStarted (the
clock is virtual and starts at a fixed instant, so payloads holding
$$.Execution.StartTime or $$.State.EnteredTime are stable too); everything else
is kept verbatim, including the JSON text of payloads.
"""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

import engine
from engine.mocks import load_case
from engine.runner import VirtualClock

from .shared import CONFORMANCE, check_frame_paths

TRANSCRIPTS = Path(__file__).resolve().parent / "transcripts"
START = 1_700_000_000.0  # 2023-11-14T22:13:20Z: any fixed instant will do
UPDATE = os.environ.get("STATELIGHT_UPDATE_TRANSCRIPTS") == "1"

needs_corpus = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no conformance corpus at {CONFORMANCE}")


def run_case(case_id):
    case = CONFORMANCE / case_id
    expected = json.loads((case / "expected.json").read_text())
    mock_case = None
    if (case / "mocks.json").exists():
        mock_case = load_case(json.loads((case / "mocks.json").read_text()), expected.get("mock_test_case", "Recorded"))
    machine = engine.parse(json.loads((case / "definition.json").read_text()))
    return engine.run(machine, json.loads((case / "input.json").read_text()), mock_case=mock_case,
                      keep_history=True, fast_time=True, clock=VirtualClock(START),
                      state_machine_name=case_id, seed=1)


def transcript(result) -> list[dict]:
    """Our events, normalised for a golden file."""
    events = [event.to_dict() for event in result.history]
    start = events[0]["timestamp"]
    normalised = []
    for event in events:
        entry = {"id": event["id"], "previousEventId": event["previousEventId"], "type": event["type"],
                 "t": round(event["timestamp"] - start, 3)}
        entry.update((k, v) for k, v in event.items() if k.endswith("EventDetails"))
        normalised.append(entry)
    return normalised


def skeleton(events) -> list[tuple]:
    """(id, previousEventId, type, keys of the details member) for each event."""
    shape = []
    for event in events:
        details = [k for k in event if k.endswith("EventDetails")]
        keys = tuple(sorted(event[details[0]])) if details else ()
        shape.append((event["id"], event["previousEventId"], event["type"], keys))
    return shape


# ---------------------------------------------------------------------- golden transcripts

GOLDEN = sorted(p.stem for p in TRANSCRIPTS.glob("*.json"))


@needs_corpus
@pytest.mark.parametrize("case_id", GOLDEN)
def test_history_matches_the_golden_transcript_checked_against_aws(case_id):
    path = TRANSCRIPTS / f"{case_id}.json"
    golden = json.loads(path.read_text())
    result = run_case(case_id)
    check_frame_paths(result.history)
    events = transcript(result)
    if UPDATE:
        golden.update(status=result.status, error=result.error, events=events)
        path.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    assert (result.status, result.error) == (golden["status"], golden["error"])
    assert len(events) == len(golden["events"]), [e["type"] for e in events]
    for ours, recorded in zip(events, golden["events"]):
        assert ours == recorded, f"event {recorded['id']} changed (golden checked against {golden['checked_against']})"


def test_every_golden_transcript_names_the_aws_recording_it_was_checked_against():
    for case_id in GOLDEN:
        golden = json.loads((TRANSCRIPTS / f"{case_id}.json").read_text())
        assert golden["case"] == case_id
        assert golden["checked_against"]["repository"] == "localstack/localstack"
        assert golden["checked_against"]["path"].endswith(".snapshot.json")
        assert golden["comment"]


# ---------------------------------------------------------------------- known differences from AWS
#
# AWS skeletons, one event a line: "id previousEventId Type", with the details
# keys AWS recorded defaulting by type (see _AWS_KEYS); ":k1,k2" gives them
# explicitly, "+assigned" adds assignedVariables/assignedVariablesDetails (a
# StateExited of a state with Assign). "?" stands for an id or previousEventId
# that LocalStack masked (Parallel branches): those events are compared as a
# multiset of (type, keys).

_AWS_KEYS = {
    "ExecutionStarted": "input,inputDetails,roleArn",
    "ExecutionSucceeded": "output,outputDetails",
    "ExecutionFailed": "cause,error",
    "MapStateStarted": "length",
    "MapIterationStarted": "index,name",
    "MapIterationSucceeded": "index,name",
    "MapIterationFailed": "index,name",
    "MapRunStarted": "mapRunArn",
    "EvaluationFailed": "cause,error,location,state",
}


def _aws(*lines):
    events = []
    for line in lines:
        parts = line.split()
        id_, previous, type_ = parts[:3]
        if type_.endswith("StateEntered"):
            keys = "input,inputDetails,name"
        elif type_.endswith("StateExited"):
            keys = "name,output,outputDetails"
        else:
            keys = _AWS_KEYS.get(type_, "")
        for extra in parts[3:]:
            if extra.startswith(":"):
                keys = extra[1:]
            elif extra == "+assigned":
                keys += ",assignedVariables,assignedVariablesDetails"
        events.append((None if id_ == "?" else int(id_), None if previous == "?" else int(previous), type_,
                       tuple(sorted(k for k in keys.split(",") if k))))
    return events


def _inline_map_iterations(first_id, started_prev, count, states):
    """AWS's events for `count` inline Map iterations of `states` state events each:
    MapIterationStarted of iteration i > 0 links to the last state event of
    iteration i-1, not to its MapIterationSucceeded."""
    lines, next_id, prev = [], first_id, started_prev
    for index in range(count):
        lines.append(f"{next_id} {prev} MapIterationStarted")
        for k in range(states):
            lines.append(f"{next_id + 1 + k} {next_id + k} {'PassStateEntered' if k % 2 == 0 else 'PassStateExited'}")
        last = next_id + states
        lines.append(f"{last + 1} {last} MapIterationSucceeded")
        next_id, prev = last + 2, last
    return lines


BS = "tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json@05cd0c84"
ASSIGN = "tests/aws/services/stepfunctions/v2/assign/test_assign_reference_variables.snapshot.json@e4000fb1"
JSONATA = "tests/aws/services/stepfunctions/v2/evaluate_jsonata/test_base_evaluate_expressions.snapshot.json@334388b2"

MAP_LINKS = ("Map previousEventId linkage: AWS links MapIterationStarted(i>0) to the last state event of "
             "iteration i-1 (we: to MapIterationSucceeded), MapStateExited to the last MapIterationSucceeded "
             "(we: to MapStateSucceeded), MapStateFailed to the failing iteration's last event (we: to "
             "MapIterationFailed)")
EVALUATION_FAILED = ("AWS records EvaluationFailed {cause, error, location, state} before ExecutionFailed for "
                     "JSONata evaluation errors; we emit none")
ASSIGNED = ("AWS's stateExitedEventDetails carries assignedVariables/assignedVariablesDetails for a state "
            "with Assign; ours has neither")
DISTRIBUTED = ("DISTRIBUTED Map: AWS records MapRunStarted {mapRunArn} and MapRunSucceeded and no iteration "
               "events in the parent history; we record inline-style iterations")

DIFFERENCES = {
    "map_state": (f"{BS} TestBaseScenarios::test_map_state", MAP_LINKS, _aws(
        "1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 MapStateEntered",
        "5 4 MapStateStarted", *_inline_map_iterations(6, 5, 8, 2),
        "38 37 MapStateSucceeded", "39 37 MapStateExited", "40 39 PassStateEntered", "41 40 PassStateExited",
        "42 41 ExecutionSucceeded")),
    "map_state_break_condition": (f"{BS} TestBaseScenarios::test_map_state_break_condition", MAP_LINKS, _aws(
        "1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 MapStateEntered",
        "5 4 MapStateStarted",
        "6 5 MapIterationStarted", "7 6 ChoiceStateEntered", "8 7 ChoiceStateExited", "9 8 PassStateEntered",
        "10 9 PassStateExited", "11 10 MapIterationSucceeded",
        "12 10 MapIterationStarted", "13 12 ChoiceStateEntered", "14 13 ChoiceStateExited",
        "15 14 PassStateEntered", "16 15 PassStateExited", "17 16 MapIterationSucceeded",
        "18 16 MapIterationStarted", "19 18 ChoiceStateEntered", "20 19 ChoiceStateExited",
        "21 20 PassStateEntered", "22 21 PassStateExited", "23 22 MapIterationSucceeded",
        "24 22 MapIterationStarted", "25 24 ChoiceStateEntered", "26 25 ChoiceStateExited",
        "27 26 PassStateEntered", "28 27 PassStateExited", "29 28 MapIterationSucceeded",
        "30 28 MapIterationStarted", "31 30 ChoiceStateEntered", "32 31 ChoiceStateExited",
        "33 32 FailStateEntered", "34 33 MapIterationFailed", "35 33 MapStateFailed",
        "36 35 ExecutionFailed")),
    "map_state_catch": (f"{BS} TestBaseScenarios::test_map_state_catch", MAP_LINKS, _aws(
        "1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 MapStateEntered",
        "5 4 MapStateStarted", "6 5 MapIterationStarted", "7 6 FailStateEntered", "8 7 MapIterationFailed",
        "9 7 MapStateFailed", "10 9 MapStateExited", "11 10 PassStateEntered", "12 11 PassStateExited",
        "13 12 ExecutionSucceeded")),
    "map_state_retry": (f"{BS} TestBaseScenarios::test_map_state_retry",
                        "Retry of a Map: AWS records no MapStateFailed for a retried attempt (the next "
                        "MapStateStarted links to the failed iteration's last event); we record MapStateFailed "
                        "on every attempt. Plus: " + MAP_LINKS, _aws(
        "1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 MapStateEntered",
        "5 4 MapStateStarted", "6 5 MapIterationStarted", "7 6 FailStateEntered", "8 7 MapIterationFailed",
        "9 7 MapStateStarted", "10 9 MapIterationStarted", "11 10 FailStateEntered", "12 11 MapIterationFailed",
        "13 11 MapStateStarted", "14 13 MapIterationStarted", "15 14 FailStateEntered",
        "16 15 MapIterationFailed", "17 15 MapStateFailed", "18 17 ExecutionFailed")),
    "jsonata_base_map_items": (f"{JSONATA} TestBaseEvaluateJsonata::test_base_map[ITEMS]", MAP_LINKS, _aws(
        "1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", *_inline_map_iterations(4, 3, 3, 2),
        "16 15 MapStateSucceeded", "17 15 MapStateExited", "18 17 ExecutionSucceeded")),
    "map_state_config_distributed_item_selector": (
        f"{BS} TestBaseScenarios::test_map_state_config_distributed_item_selector", DISTRIBUTED, _aws(
            "1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 MapRunStarted",
            "5 4 MapRunSucceeded", "6 5 MapStateSucceeded", "7 5 MapStateExited", "8 7 SucceedStateEntered",
            "9 8 SucceedStateExited", "10 9 ExecutionSucceeded")),
    "map_state_tolerated_failure_count_path_1": (
        f"{BS} TestBaseScenarios::test_map_state_tolerated_failure_count_path[1]", DISTRIBUTED, _aws(
            "1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 MapRunStarted",
            "5 4 MapRunSucceeded", "6 5 MapStateSucceeded", "7 5 MapStateExited", "8 7 ExecutionSucceeded")),
    "map_state_tolerated_failure_count_path_neg1": (
        f"{BS} TestBaseScenarios::test_map_state_tolerated_failure_count_path[-1]",
        "AWS records MapStateStarted {length} before failing on an invalid ToleratedFailureCountPath value; "
        "we fail before MapStateStarted", _aws(
            "1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 ExecutionFailed")),
    "parallel_state_order": (
        f"{BS} TestBaseScenarios::test_parallel_state_order",
        "AWS links ParallelStateExited to the last branch event (11); we link it to ParallelStateSucceeded "
        "(12). LocalStack masks the branch events' ids and drops event 12 from the snapshot, so event 12 "
        "is inferred (ParallelStateSucceeded, previousEventId unknown) and the branch events are compared "
        "without order or linkage", _aws(
            "1 0 ExecutionStarted", "2 0 ParallelStateEntered", "3 2 ParallelStateStarted",
            *["? ? PassStateEntered"] * 4, *["? ? PassStateExited"] * 4,
            "12 ? ParallelStateSucceeded", "13 11 ParallelStateExited", "14 13 ExecutionSucceeded")),
    "variables_reference_assign_base_in_parameters": (
        f"{ASSIGN} TestAssignReferenceVariables::test_reference_assign[BASE_REFERENCE_IN_PARAMETERS]", ASSIGNED,
        _aws("1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited +assigned",
             "4 3 PassStateEntered", "5 4 PassStateExited", "6 5 ExecutionSucceeded")),
    "variables_reference_assign_base_in_choice": (
        f"{ASSIGN} TestAssignReferenceVariables::test_reference_assign[BASE_REFERENCE_IN_CHOICE]", ASSIGNED,
        _aws("1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited +assigned",
             "4 3 ChoiceStateEntered", "5 4 ChoiceStateExited", "6 5 PassStateEntered",
             "7 6 PassStateExited +assigned", "8 7 ChoiceStateEntered", "9 8 ChoiceStateExited",
             "10 9 PassStateEntered", "11 10 PassStateExited", "12 11 ExecutionSucceeded")),
    "variables_undefined_reference_base_arguments": (
        f"{ASSIGN} TestAssignReferenceVariables::test_undefined_reference[BASE_UNDEFINED_ARGUMENTS]",
        EVALUATION_FAILED + " (location 'Arguments'; its previousEventId is the StateEntered's, 0 here)",
        _aws("1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 0 EvaluationFailed", "4 3 ExecutionFailed")),
    "variables_undefined_reference_base_assign": (
        f"{ASSIGN} TestAssignReferenceVariables::test_undefined_reference[BASE_UNDEFINED_ASSIGN]",
        EVALUATION_FAILED + " (location 'Assign/result')",
        _aws("1 0 ExecutionStarted", "2 0 PassStateEntered", "3 0 EvaluationFailed", "4 3 ExecutionFailed")),
    "variables_undefined_reference_base_output_multiple_states": (
        f"{ASSIGN} TestAssignReferenceVariables::test_undefined_reference[BASE_UNDEFINED_OUTPUT_MULTIPLE_STATES]",
        EVALUATION_FAILED + " (location 'Output/result'; previousEventId 5 = the StateEntered's own)",
        _aws("1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 PassStateEntered",
             "5 4 PassStateExited", "6 5 PassStateEntered", "7 5 EvaluationFailed", "8 7 ExecutionFailed")),
    "wait_timestamp_jsonata_invalid_iso": (
        f"{BS} TestBaseScenarios::test_wait_timestamp_jsonata[INVALID_ISO]",
        EVALUATION_FAILED + " (location 'Timestamp'; here previousEventId is the WaitStateEntered id, 2)",
        _aws("1 0 ExecutionStarted", "2 0 WaitStateEntered", "3 2 EvaluationFailed", "4 3 ExecutionFailed")),
}


def _matches_aws(ours, aws) -> bool:
    if len(ours) != len(aws):
        return False
    masked_ours, masked_aws = Counter(), Counter()
    for mine, recorded in zip(ours, aws):
        if recorded[0] is None:  # masked by LocalStack: type and keys only, in any order
            masked_ours[mine[2:]] += 1
            masked_aws[recorded[2:]] += 1
        elif recorded[1] is None:  # linkage unknown
            if mine[0] != recorded[0] or mine[2:] != recorded[2:]:
                return False
        elif mine != recorded:
            return False
    return masked_ours == masked_aws


@needs_corpus
@pytest.mark.parametrize("case_id", sorted(DIFFERENCES))
def test_history_has_the_event_skeleton_aws_recorded(case_id):
    source, _, aws = DIFFERENCES[case_id]
    ours = skeleton(transcript(run_case(case_id)))
    assert _matches_aws(ours, aws), (source, ours)


def test_no_case_is_both_golden_and_a_known_difference():
    assert not set(GOLDEN) & set(DIFFERENCES)
