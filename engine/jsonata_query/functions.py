"""The functions Step Functions adds to JSONata, bound in every evaluation.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

- $partition, $range, $hash, $random([seed]), $uuid, $parse. `$eval` is not
  bound, so calling it fails with T1006 (floci issue #2737). `$random(seed)`
  is java.util.Random(seed).nextDouble() (`$random(42)` is
  0.7275636800328681 on AWS, floci issue #2662).
- `$range` returns a JSONata sequence, so a single value is unwrapped:
  `$range(1, 9, 9)` is `1` (jsonata_array_range_03); `$partition` returns
  an array of arrays even for one chunk (jsonata_array_partition_03).
"""
from __future__ import annotations

import hashlib
import json
import math
import threading
import uuid

from jsonata import jexception, utils
from jsonata.jsonata import Jsonata

from .bridge import NULL, js_json, to_jsonata

# While an evaluation runs on this thread (set by evaluation.run): .random, the execution's
# random.Random, which $random() and $uuid() draw from; .deadline, (time.monotonic() at which
# it times out, the limit in ms), which regular expressions look at (regexes.py).
per_thread = threading.local()



class _Native(Jsonata.JFunctionCallable):
    def __init__(self, implementation):
        self.implementation = implementation

    def call(self, input, args):
        return self.implementation(*(args or ()))


def _partition(array, size):
    # no AWS recording of a bad size: a message without a code, as AWS words its own functions
    if not size >= 1:
        raise jexception.JException(f"The size argument of $partition must be a positive integer, got {js_json(size)}")
    size = int(size)
    items = list(array) if isinstance(array, list) else [array]
    return utils.Utils.JList([utils.Utils.JList(items[i:i + size]) for i in range(0, len(items), size)])


_MAX_RANGE = 1_000_000  # jsonata's own bound on `[a..b]` (D2014)


def _range(start, end, step):
    if step == 0:
        raise jexception.JException("The step argument of $range must not be 0")
    count = math.floor((end - start) / step) + 1
    if count > _MAX_RANGE:
        raise jexception.JException("D2014", -1, count)  # jsonata's own limit for [a..b]
    values = (utils.Utils.convert_number(start + i * step) for i in range(max(count, 0)))
    return utils.Utils.create_sequence_from_iter(values)


_HASHES = {"MD5": hashlib.md5, "SHA-1": hashlib.sha1, "SHA-256": hashlib.sha256,
           "SHA-384": hashlib.sha384, "SHA-512": hashlib.sha512}


def _hash(value, algorithm):
    if value is None:
        return None
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise jexception.JException(f"The hash algorithm {js_json(algorithm)} is not supported: "
                                    "use MD5, SHA-1, SHA-256, SHA-384 or SHA-512")
    return digest(value.encode("utf-8", "replace")).hexdigest()


def _random(seed=None):
    if seed is None:
        source = getattr(per_thread, "random", None)
        if source is None:
            import random as source
        return source.random()
    return _java_next_double(int(seed))


def _java_next_double(seed: int) -> float:
    """new java.util.Random(seed).nextDouble()."""
    multiplier, mask = 0x5DEECE66D, (1 << 48) - 1
    state = (seed ^ multiplier) & mask
    state = (state * multiplier + 0xB) & mask
    high = state >> (48 - 26)
    state = (state * multiplier + 0xB) & mask
    low = state >> (48 - 27)
    return ((high << 27) + low) * (1.0 / (1 << 53))


def _uuid():
    source = getattr(per_thread, "random", None)
    bits = source.getrandbits(128) if source is not None else uuid.uuid4().int
    return str(uuid.UUID(int=bits, version=4))


def _parse(text):
    if text is None or text is NULL:
        return text  # undefined stays undefined; JSON.parse(null) is null
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise jexception.JException(f"Unable to parse {js_json(text)} as JSON: {e}") from None
    return to_jsonata(value)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _function(implementation, signature: str):
    return Jsonata.JFunction(_Native(implementation), signature)


# Bound by name in every evaluation; the compiled subset leaves these names to jsonata-python.
DIALECT = {
    "partition": _function(_partition, "<an:a<a>>"),
    "range": _function(_range, "<nnn:a<n>>"),
    "hash": _function(_hash, "<ss:s>"),
    "random": _function(_random, "<n?:n>"),
    "uuid": _function(_uuid, "<:s>"),
    "parse": _function(_parse, "<s:j>"),
    "eval": None,  # refused: calling it fails with T1006 as on AWS
}
for _name, _fn in DIALECT.items():
    if _fn is not None:
        _fn.signature.set_function_name(_name)
