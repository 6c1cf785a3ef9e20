"""`validate(definition) -> list[Problem]`: the public face of engine/validation/."""
from .validation import ERROR, NEITHER_NEXT_NOR_END, WARNING, Problem, validate

__all__ = ["validate", "Problem", "ERROR", "WARNING", "NEITHER_NEXT_NOR_END"]
