"""The sample workflows in examples/*.asl.json, as the home page lists them."""

import json
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".asl.json"


@dataclass(frozen=True)
class Example:
    name: str
    path: Path
    comment: str = ""
    state_count: int = 0
    # set when the file is not a readable ASL document; the page shows it
    # instead of failing, since examples/ changes often
    error: str = ""


def load_examples(directory: Path) -> list[Example]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return [load_example(path) for path in sorted(directory.glob("*" + SUFFIX))]


def load_example(path: Path) -> Example:
    name = path.name.removesuffix(SUFFIX)
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return Example(name=name, path=path, error=f"unreadable: {e}")
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        return Example(name=name, path=path, error="not a state machine: no States object")
    comment = definition.get("Comment")
    return Example(
        name=name,
        path=path,
        comment=comment if isinstance(comment, str) else "",
        state_count=count_states(definition),
    )


def count_states(machine: dict) -> int:
    """Every state, including those inside Parallel branches and Map processors."""
    states = machine.get("States")
    if not isinstance(states, dict):
        return 0
    total = 0
    for state in states.values():
        total += 1
        if not isinstance(state, dict):
            continue
        branches = state.get("Branches")
        for branch in branches if isinstance(branches, list) else []:
            if isinstance(branch, dict):
                total += count_states(branch)
        # Map: ItemProcessor, or Iterator in older definitions
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                total += count_states(state[key])
    return total
