"""A state machine as files in a folder, for git (manage.py apply and export, the examples):

    NAME.asl.json      the definition, byte for byte
    NAME.layout.json   the designer's layout (node positions), optional
    NAME.inputs.json   its sample inputs (designer/sample_inputs.py), optional

Reading never half-reads: a file set is read whole, then checked whole (`problems`), before
anything is stored.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from designer import sample_inputs
from designer.api import definitions
from designer.models import StateMachine
from designer.models.machines import content_digest, digest

SUFFIX = ".asl.json"
LAYOUT_SUFFIX = ".layout.json"
INPUTS_SUFFIX = ".inputs.json"


@dataclass(frozen=True)
class MachineFiles:
    name: str
    definition: str
    layout_text: str | None  # None: no layout file
    inputs_text: str | None  # None: no inputs file

    def digest(self) -> str:
        """What was read, as one digest: a file that changes, appears or goes changes it."""
        return digest(self.definition, self.layout_text, self.inputs_text)

    def layout(self, machine: StateMachine | None = None) -> dict:
        """The layout these files give a machine: the file's, else the one it has."""
        if self.layout_text is None:
            return machine.layout if machine is not None else {}
        return json.loads(self.layout_text)

    def inputs(self, machine: StateMachine | None = None) -> str:
        if self.inputs_text is None:
            return machine.sample_inputs if machine is not None else ""
        return self.inputs_text

    def content_digest(self, machine: StateMachine | None = None) -> str:
        """The digest of the machine's content (StateMachine.content_digest) as these files make it:
        what has no file stays as it is; no draft (apply leaves one alone, but it is an edit)."""
        return content_digest(self.definition, "", self.layout(machine), self.inputs(machine))

    def apply_to(self, machine: StateMachine):
        machine.definition = self.definition
        machine.layout = self.layout(machine)
        machine.sample_inputs = self.inputs(machine)


def definition_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*" + SUFFIX))


def read(path: Path) -> MachineFiles:
    """The files of the machine whose definition is at `path`; OSError, UnicodeDecodeError."""
    name = path.name.removesuffix(SUFFIX)

    def beside(suffix):
        other = path.with_name(name + suffix)
        # bytes, not text mode: line endings stay exactly as in the file
        return other.read_bytes().decode("utf-8") if other.exists() else None

    return MachineFiles(name, path.read_bytes().decode("utf-8"), beside(LAYOUT_SUFFIX), beside(INPUTS_SUFFIX))


def problems(files: MachineFiles) -> list[str]:
    """Why these files cannot be applied, each naming its file and place (empty: they can)."""
    if len(files.definition) > definitions.MAX_DEFINITION:
        return [f"the definition has {len(files.definition)} characters, more than {definitions.MAX_DEFINITION}"]
    found = [f"{p.path or '/'}: {p.code}: {p.message}"
             for p in definitions.problems(files.definition) if p.severity == "ERROR"]
    if files.layout_text is not None:
        problem = _layout_problem(files.layout_text)
        if problem:
            found.append(f"{files.name}{LAYOUT_SUFFIX}: {problem}")
    if files.inputs_text is not None:
        try:
            sample_inputs.parse(files.inputs_text)
        except sample_inputs.InvalidInputs as e:
            found.append(f"{files.name}{INPUTS_SUFFIX}: {e}")
    return found


def _layout_problem(text: str) -> str:
    try:
        layout = json.loads(text)
    except ValueError as e:
        return f"not JSON: {e}"
    return "" if isinstance(layout, dict) else "it must hold a JSON object"


def write(directory: Path, machine: StateMachine):
    """The machine's files in `directory`: the definition and the inputs as stored, byte for byte;
    the layout in one formatting (sorted keys: PostgreSQL does not keep their order)."""
    directory = Path(directory)
    (directory / (machine.name + SUFFIX)).write_bytes(machine.definition.encode("utf-8"))
    if machine.layout:
        layout = json.dumps(machine.layout, indent=2, sort_keys=True) + "\n"
        (directory / (machine.name + LAYOUT_SUFFIX)).write_bytes(layout.encode("utf-8"))
    if machine.sample_inputs:
        (directory / (machine.name + INPUTS_SUFFIX)).write_bytes(machine.sample_inputs.encode("utf-8"))
