"""JSON from outside (request bodies, definitions, execution input, task output), read with
limits, so that no document can make the server fail: Python's parser, and every walk of a
value after it, recurse once per level of nesting, and a deep enough document would raise
RecursionError, which would escape as a server error.

AWS's own limit, 256 KiB of UTF-8 for an execution's input or a task's output, is checked
where those are read (designer/runtime/executions.py, tokens.py; the API's definitions.py).
"""
from __future__ import annotations

import json

# Far deeper than any workflow's data, far from Python's recursion limit however deep the
# server's own stack is when a value is walked.
MAX_DEPTH = 256


class TooDeep(ValueError):
    def __init__(self):
        super().__init__(f"the JSON is nested more than {MAX_DEPTH} levels deep")


def loads(text):
    """json.loads for text from outside: ValueError (json's own, or TooDeep) unless it is JSON
    nested at most MAX_DEPTH levels deep."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    return check_depth(value)


def check_depth(value):
    """The value, if it nests at most MAX_DEPTH levels deep (one parsed by another reader: YAML); else TooDeep."""
    if _deeper_than(value, MAX_DEPTH):
        raise TooDeep()
    return value


def _deeper_than(value, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels in `value` (level by level: no recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for container in level
                 for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, (dict, list))]
    return False
