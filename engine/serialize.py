"""JSON text as Step Functions writes it: compact, UTF-8, no escaping of non-ASCII."""
from __future__ import annotations

import json

# Step Functions' limit on any state's input or output and on task results.
PAYLOAD_LIMIT = 256 * 1024

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_json(value) -> str:
    return _encoder.encode(value)


def size_in_bytes(value) -> int:
    """The UTF-8 size of the value's JSON text, the measure of the 256 KiB limit."""
    text = _encoder.encode(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))
