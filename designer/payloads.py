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


def lone_surrogate(text: str) -> int | None:
    """Where `text` holds a lone surrogate (half a UTF-16 pair: JSON's "\\ud800" decodes to one),
    which no UTF-8 text and no database column can hold; None when it holds none."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return e.start
    return None


def surrogate_in(value) -> tuple[str, str, int] | None:
    """(JSON pointer, the string, index in it) of the first lone surrogate among a JSON value's
    strings and member names; None when there is none. Level by level: no recursion."""
    level = [("", value)]
    while level:
        deeper = []
        for pointer, node in level:
            texts = [node] if isinstance(node, str) else list(node) if isinstance(node, dict) else []
            for text in texts:
                at = lone_surrogate(text)
                if at is not None:
                    return pointer, text, at
            if isinstance(node, dict):
                deeper.extend((f"{pointer}/{key}", child) for key, child in node.items())
            elif isinstance(node, list):
                deeper.extend((f"{pointer}/{index}", child) for index, child in enumerate(node))
        level = deeper
    return None


def surrogate_message(what: str, text: str, at: int) -> str:
    return (f"{what} holds a lone surrogate (\\u{ord(text[at]):04x}) at character {at}: half a UTF-16 pair "
            "is not a character")


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
