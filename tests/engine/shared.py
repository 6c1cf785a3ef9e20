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
