"""The shared benchmark workloads: where they are, what they promise, and the digest of an output.

The workloads live outside the repository, in ../shared/bench/workloads next to
the clone (or wherever $STATELIGHT_BENCH_WORKLOADS points). A user's clone has
no ../shared: workloads_dir() then names a folder that does not exist and the
bench says so instead of failing.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "STATELIGHT_BENCH_WORKLOADS"


def workloads_dir() -> Path:
    """$STATELIGHT_BENCH_WORKLOADS, else ../shared/bench/workloads relative to the repo root."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser().resolve()
    return (REPO_ROOT.parent / "shared" / "bench" / "workloads").resolve()


@dataclass(frozen=True)
class Workload:
    name: str
    id: str
    definition: Path
    input: Path
    transitions: int
    expected_digest: str
    features: tuple
    needs_echo_task: bool
    extra: bool
    jsonata: bool

    def load(self):
        """(definition, input) as parsed JSON."""
        with open(self.definition, encoding="utf-8") as f:
            definition = json.load(f)
        with open(self.input, encoding="utf-8") as f:
            data = json.load(f)
        return definition, data


@dataclass(frozen=True)
class Manifest:
    directory: Path
    echo_resource: str
    workloads: tuple

    def select(self, patterns) -> list:
        """Workloads by exact name or name prefix (`w1` -> both W1 sizes), in manifest order.

        No patterns: every workload. Raises KeyError naming a pattern that matches nothing.
        """
        if not patterns:
            return list(self.workloads)
        chosen = []
        for pattern in patterns:
            exact = [w for w in self.workloads if w.name == pattern]
            found = exact or [w for w in self.workloads if w.name.startswith(pattern)]
            if not found:
                raise KeyError(pattern)
            chosen.extend(w for w in found if w not in chosen)
        return chosen


def load_manifest(directory: Path) -> Manifest:
    with open(directory / "manifest.json", encoding="utf-8") as f:
        raw = json.load(f)
    workloads = tuple(
        Workload(
            name=w["name"], id=w.get("id", ""), definition=directory / w["definition"], input=directory / w["input"],
            transitions=int(w["transitions"]), expected_digest=w["expected_digest"],
            features=tuple(w.get("features", ())), needs_echo_task=bool(w.get("needs_echo_task")),
            extra=bool(w.get("extra")), jsonata=bool(w.get("jsonata")),
        )
        for w in raw["workloads"]
    )
    return Manifest(directory, raw.get("echo_resource", ""), workloads)


# ---------------------------------------------------------------- canonical JSON, as drivers/_common.mjs
# canon(v): JSON.stringify of every scalar, object keys sorted with Array.prototype.sort (UTF-16 code
# units), no whitespace. Python's json module differs from JavaScript on numbers (1.0 vs 1, 1e-07 vs
# 1e-7, 1e+16 vs 10000000000000000, integers beyond 2**53) and on lone surrogates, so numbers and
# strings are written here the way JavaScript writes them.

_string_encoder = json.JSONEncoder(ensure_ascii=False)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SAFE_INTEGER = 2 ** 53


def canon(value) -> str:
    parts = []
    _canon(value, parts.append)
    return "".join(parts)


def digest(value) -> str:
    """sha256 of canon(value), first 16 hex digits: the manifest's expected_digest."""
    return hashlib.sha256(canon(value).encode("utf-8")).hexdigest()[:16]


def _canon(value, write):
    if value is None:
        write("null")
    elif value is True:
        write("true")
    elif value is False:
        write("false")
    elif isinstance(value, str):
        write(js_string(value))
    elif isinstance(value, int):
        write(str(value) if -_SAFE_INTEGER <= value <= _SAFE_INTEGER else js_number(float(value)))
    elif isinstance(value, float):
        write(js_number(value))
    elif isinstance(value, (list, tuple)):
        write("[")
        for i, item in enumerate(value):
            if i:
                write(",")
            _canon(item, write)
        write("]")
    elif isinstance(value, dict):
        write("{")
        for i, key in enumerate(_sorted_keys(value)):
            if i:
                write(",")
            write(js_string(key))
            write(":")
            _canon(value[key], write)
        write("}")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def _sorted_keys(obj: dict) -> list:
    """Array.prototype.sort's order: by UTF-16 code unit (code point order differs beyond U+FFFF)."""
    if all(key.isascii() for key in obj):
        return sorted(obj)
    return sorted(obj, key=lambda key: key.encode("utf-16-be", "surrogatepass"))


def js_string(text: str) -> str:
    """JSON.stringify of a string: non-ASCII as is, control characters and lone surrogates escaped."""
    encoded = _string_encoder.encode(text)
    if not text.isascii() and _LONE_SURROGATE.search(encoded):
        # a surrogate pair held as two code points is one character to JavaScript; lone ones are escaped
        encoded = encoded.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
        encoded = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
    return encoded


def js_number(x: float) -> str:
    """Number.prototype.toString (what JSON.stringify writes) of a double; NaN and Infinity -> null."""
    if math.isnan(x) or math.isinf(x):
        return "null"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest digits that round-trip, as JavaScript does; only the layout differs.
    _, digit_tuple, exponent = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    exponent += len("".join(map(str, digit_tuple))) - len(digits)
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body
