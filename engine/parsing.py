"""From a definition (parsed JSON) to a Machine, refusing what AWS would refuse."""
from .errors import InvalidDefinition
from .states import Machine
from .validation import validate


def parse(definition) -> Machine:
    """Validate and compile a definition. Raises InvalidDefinition with every problem."""
    problems = [p for p in validate(definition) if p.severity == "ERROR"]
    if problems:
        raise InvalidDefinition(problems)
    return Machine(definition)
