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
