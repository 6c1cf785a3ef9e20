"""Statelight's ASL interpreter: pure Python, no Django, no I/O.

    machine = engine.parse(definition)          # raises InvalidDefinition
    result = engine.run(machine, {"order": 1})  # inline: handlers, mocks, timers
    execution = engine.Execution(machine, input)  # resumable, effect by effect
"""
from .errors import InvalidDefinition, StatesError
from .execution import Execution, Step
from .handlers import TaskContext, TaskError, task_handler
from .runner import Result, run
from .states import Machine
from .validation import Problem, validate


def parse(definition) -> Machine:
    """Validate and compile a definition (a parsed JSON object)."""
    problems = [p for p in validate(definition) if p.severity == "ERROR"]
    if problems:
        raise InvalidDefinition(problems)
    return Machine(definition)


__all__ = [
    "Execution", "InvalidDefinition", "Machine", "Problem", "Result", "StatesError", "Step", "TaskContext",
    "TaskError", "parse", "run", "task_handler", "validate",
]
