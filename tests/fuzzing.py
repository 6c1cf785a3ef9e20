"""Request bodies for the fuzz tests (tests/designer/api/test_fuzz.py, tests/designer/test_fuzz_pages.py):
valid-ish ones, made from botocore's model of each operation's input, and hostile ones.

A body is JSON *text*, put together from fragments, so that it can hold what Python's json
module would refuse to write or what a client never sends: NaN, 1e999, a lone surrogate, 5,000
levels of nesting. Everything is drawn from one random.Random, so a seed gives the same bodies.
"""
from __future__ import annotations

import json
import random

DEEP = 5000  # levels: far past any limit, and past Python's recursion limit


def _text(value) -> str:
    return json.dumps(value)


def deep_array(levels: int = DEEP) -> str:
    return "[" * levels + "]" * levels


def deep_object(levels: int = DEEP) -> str:
    return '{"a":' * levels + "1" + "}" * levels


# Values that are hostile wherever a JSON value goes: numbers JSON has no room for, numbers no
# int or float holds, lone surrogates (escaped: the only way JSON text can carry one), huge and
# deep values, and every JSON type.
HOSTILE_VALUES = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000, "null", "true", "false", "0", "-1", "1.5",
    "[]", "{}", '"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', _text("x" * 300_000), _text(""),
    deep_array(), deep_object(), '[{"a": [NaN]}]',
]

# JSON texts that hostile callers put where a JSON *text* is expected (a definition, an input, an
# output, variables): the same shapes, one level down.
HOSTILE_TEXTS = [
    "NaN", "1e999", "-Infinity", "9" * 5000, '"\\ud800"', '["\\udfff"]', "\ud800", '{"a": "\ud800"}', deep_array(),
    deep_object(), "", " ", "{", "[1,]", '{"States": "abc"}', '{"StartAt": 1, "States": []}',
    '{"StartAt": "A", "States": {"A": "abc"}}', '{"StartAt": "A", "States": {"A": {"Type": ["Pass"]}}}',
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "yes", "Parameters": [NaN]}}}',
    _text({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"deep": "x"}, "End": True}}}) + " " * 10,
    "x" * 300_000,
]

PASS = _text({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
JSON_TEXT_MEMBERS = {"definition", "input", "output", "variables", "context", "result"}


def body(members: dict) -> str:
    """A JSON object of already-encoded member fragments."""
    return "{" + ",".join(f"{_text(name)}:{fragment}" for name, fragment in members.items()) + "}"


class Generator:
    """Bodies for the operations of one botocore service model. `known` holds real values to draw
    from, so that valid-ish bodies reach past the first lookup: {"stateMachine": [arns], "activity":
    [...], "execution": [...], "express": [...], "version": [...], "alias": [...], "taskToken": [...]}."""

    def __init__(self, model, known: dict, seed: int):
        self.model = model
        self.known = known
        self.rng = random.Random(seed)

    # --- valid-ish values, by shape and member name ---------------------------------
    def value(self, shape, name: str, depth: int = 0) -> str:
        kind = shape.type_name
        if kind == "structure":
            return body(self.members(shape, depth + 1))
        if kind == "list":
            count = self.rng.randint(shape.metadata.get("min", 0), min(shape.metadata.get("max", 3), 3))
            return "[" + ",".join(self.value(shape.member, name, depth + 1) for _ in range(count)) + "]"
        if kind == "map":
            return "{" + f"{_text(self.word())}:{self.value(shape.value, name, depth + 1)}" + "}"
        if kind in ("integer", "long"):
            low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 1000)
            return str(self.rng.choice([low, high, self.rng.randint(low, high)]))
        if kind == "boolean":
            return self.rng.choice(["true", "false"])
        if kind in ("timestamp", "double", "float"):
            return str(self.rng.choice([0, 1_700_000_000.5]))
        return _text(self.string(shape, name))

    def members(self, shape, depth: int = 0) -> dict:
        chosen = {}
        for name, member in shape.members.items():
            if name in shape.required_members or (depth < 3 and self.rng.random() < 0.5):
                chosen[name] = self.value(member, name, depth)
        return chosen

    def string(self, shape, name: str) -> str:
        if shape.enum:
            return self.rng.choice(shape.enum)
        lowered = name.lower()
        if lowered in JSON_TEXT_MEMBERS:
            return PASS if lowered == "definition" else self.rng.choice(['{}', '{"a": 1}', '[1, "x"]', '"text"'])
        if lowered == "tasktoken":
            return self.rng.choice(self.known.get("taskToken", []) + ["0" * 64, "not a token"])
        if lowered.endswith("arn"):
            return self.arn(lowered)
        if lowered in ("name", "workername") or lowered.endswith("name"):
            return self.word()
        return self.rng.choice([self.word(), "", "a b c", "\u00e9t\u00e9 \u2603"])

    def arn(self, member: str) -> str:
        pools = {"statemachinearn": ["stateMachine", "version", "alias"], "executionarn": ["execution", "express"],
                 "activityarn": ["activity"], "statemachineversionarn": ["version"],
                 "statemachinealiasarn": ["alias"], "resourcearn": ["stateMachine", "activity", "execution"],
                 "maprunarn": ["execution"], "rolearn": []}
        choices = [arn for kind in pools.get(member, ["stateMachine"]) for arn in self.known.get(kind, [])]
        if member == "rolearn" or not choices:
            return "arn:aws:iam::123456789012:role/Fuzz"
        return self.rng.choice(choices)

    def word(self) -> str:
        return "fz" + "".join(self.rng.choice("abcdefghij0123456789_-") for _ in range(self.rng.randint(1, 12)))

    # --- bodies ------------------------------------------------------------------
    def bodies(self, operation: str):
        """(what, body text) pairs for one operation: valid-ish, then each member made hostile."""
        shape = self.model.operation_model(operation).input_shape
        if shape is None:
            yield "no members", "{}"
            return
        for _ in range(5):
            yield "valid-ish", body(self.members(shape))
        yield "empty", "{}"
        yield "unknown member", body({**self.members(shape), "fuzzUnknown": "1"})
        for name, member in shape.members.items():
            base = self.members(shape)
            if name in shape.required_members:
                yield f"without {name}", body({k: v for k, v in base.items() if k != name})
            for fragment in HOSTILE_VALUES:
                yield f"{name} = {fragment[:30]}", body({**base, name: fragment})
            if member.type_name == "string":
                texts = HOSTILE_TEXTS if name.lower() in JSON_TEXT_MEMBERS else self.rng.sample(HOSTILE_TEXTS, 4)
                for text in texts:
                    yield f"{name} = text {text[:30]!r}", body({**base, name: _text(text)})
                yield f"{name} + surrogate", body({**base, name: _text(self.string(member, name))[:-1] + '\\ud800"'})
            elif member.type_name in ("structure", "list", "map"):
                for _ in range(4):
                    yield f"inside {name}", body({**base, name: self.hostile_inside(member)})

    def hostile_inside(self, shape, depth: int = 0) -> str:
        """A valid-ish value of `shape` with one hostile value somewhere inside it."""
        if depth > 3 or shape.type_name not in ("structure", "list", "map"):
            return self.rng.choice(HOSTILE_VALUES)
        if shape.type_name == "list":
            return "[" + self.hostile_inside(shape.member, depth + 1) + "]"
        if shape.type_name == "map":
            return "{" + f"{_text(self.word())}:{self.hostile_inside(shape.value, depth + 1)}" + "}"
        members = self.members(shape, depth + 1)
        if shape.members:
            target = self.rng.choice(list(shape.members))
            members[target] = self.hostile_inside(shape.members[target], depth + 1)
        return body(members)


# Whole bodies that are hostile before any member is read.
HOSTILE_BODIES = [
    b"", b" ", b"null", b"[]", b'"text"', b"1", b"NaN", b"{", b"{}}", b'{"a":1,}', b"\xff\xfe{}", b"\xed\xa0\x80",
    b'{"\xed\xa0\x80": 1}', deep_array().encode(), deep_object().encode(), b'{"a": ' + deep_array().encode() + b"}",
    b'{"\\ud800": 1}', b"{" + b'"a":1,' * 100_000 + b'"a":2}',
]
