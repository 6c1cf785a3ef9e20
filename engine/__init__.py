"""Statelight's ASL interpreter: pure Python, no Django, no I/O.

    machine = engine.parse(definition)          # raises InvalidDefinition
    result = engine.run(machine, {"order": 1})  # inline: handlers, mocks, timers
    execution = engine.Execution(machine, input)  # resumable, effect by effect
"""
from .errors import InvalidDefinition, StatesError
from .execution import Execution, Step
from .handlers import TaskContext, TaskError, task_handler
from .runner import Result, run
from .parsing import parse
from .states import Machine
from .teststate import test_state
from .validation import Problem, validate


__all__ = [
    "Execution", "InvalidDefinition", "Machine", "Problem", "Result", "StatesError", "Step", "TaskContext",
    "TaskError", "parse", "run", "task_handler", "test_state", "validate",
]
