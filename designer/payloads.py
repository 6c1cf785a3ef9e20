"""JSON from outside (request bodies, definitions, execution input, task output), read as AWS
reads JSON and with limits, so that no document can make the server fail: the check of
engine.serialize.read_payload. Strict JSON (no NaN, Infinity or 1e999, which JSON has no room
for and a database's JSON column refuses); at most MAX_DEPTH levels deep (Python's parser, and
every walk of a value after it, recurse once per level: a deeper document would raise
RecursionError); no lone surrogates (half a UTF-16 pair: no UTF-8 text and no database column
can hold one).

AWS's 256 KiB limit on an execution's input or a task's output is read_payload's too, checked
where those are read (designer/runtime/executions.py, tokens.py; the API's definitions.py).
"""
from __future__ import annotations

from engine.serialize import MAX_DEPTH, InvalidPayload, read_payload

__all__ = ["MAX_DEPTH", "InvalidPayload", "loads", "lone_surrogate", "surrogate_in", "surrogate_message"]


def loads(text, *, what: str = "The JSON", surrogates: bool = False):
    """The value of a JSON text from outside (str, or UTF-8 bytes), checked as read_payload checks
    it, without its size limit (each caller has its own). `surrogates=True` lets lone surrogates
    through: the AWS API answers them member by member, each with its own error
    (designer/api/params.py). Raises InvalidPayload, a ValueError saying what is wrong and where."""
    if not isinstance(text, str):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidPayload("SerializationException", f"{what} is not UTF-8 text: {e.reason} at byte "
                                                           f"{e.start}.") from None
    return read_payload(text, what=what, limit=None, surrogates=surrogates)


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
