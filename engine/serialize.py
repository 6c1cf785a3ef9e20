"""JSON text as Step Functions writes it: compact, UTF-8, no escaping of non-ASCII."""
from __future__ import annotations

import json

# Step Functions' limit on any state's input or output and on task results.
PAYLOAD_LIMIT = 256 * 1024

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# JSONEncoder.encode builds a C encoder on every call; the size check runs on
# hot paths, so it keeps one (same options as _encoder).
_chunks = json.encoder.c_make_encoder(
    None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, False)


def to_json(value) -> str:
    return _encoder.encode(value)


def size_in_bytes(value) -> int:
    """The UTF-8 size of the value's JSON text, the measure of the 256 KiB limit."""
    if isinstance(value, str):
        text = json.encoder.encode_basestring(value)
    else:
        text = "".join(_chunks(value, 0))
    return len(text) if text.isascii() else len(text.encode("utf-8"))
