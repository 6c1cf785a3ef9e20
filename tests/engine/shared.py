"""Where the shared corpora live: ../shared beside the repository (absent in a user's clone)."""
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CONFORMANCE = SHARED / "conformance" / "cases"
WORKLOADS = SHARED / "bench" / "workloads"
SEED_EXAMPLES = SHARED / "seed" / "examples"


def case_ids():
    if not CONFORMANCE.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no conformance corpus at {CONFORMANCE}"))]
    return sorted(p.name for p in CONFORMANCE.iterdir() if (p / "expected.json").is_file())


def same_json(a, b) -> bool:
    """Equal as JSON values, as the conformance corpus judges: 1 == 1.0, but true != 1; key order ignored."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def check_frame_paths(events):
    """What every history must hold of its events' frame paths (engine.history.Event): the
    execution's own events belong to no state run; every other event to the run of a
    *StateEntered before it, in that run's frame; a frame's containers are Map and Parallel runs."""
    by_id = {event.id: event for event in events}
    entered = {event.id for event in events if event.type.endswith("StateEntered") and event.run == event.id}
    containers = {i for i in entered if by_id[i].type in ("MapStateEntered", "ParallelStateEntered")}
    for event in events:
        if event.type.startswith("Execution"):
            assert (event.run, event.path) == (None, ()), event
            continue
        assert event.run in entered and event.run <= event.id, event
        assert event.path == by_id[event.run].path, event
        for container, index in event.path:
            assert container in containers and isinstance(index, int), event
