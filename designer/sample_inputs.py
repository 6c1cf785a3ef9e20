"""A state machine's sample inputs: named execution inputs kept with it, like the saved test
events of the AWS consoles, offered by the Run forms (the first one pre-filled).

In a folder (manage.py apply / export) they are `NAME.inputs.json` beside `NAME.asl.json`: one
JSON object, each member an input by its name, in the order the Run forms offer them:

    {
      "Margherita for Ada": {"customer": "Ada", "pizza": "margherita"},
      "No pizza": {"customer": "Bob"}
    }

The machine keeps that text as it was read (`StateMachine.sample_inputs`, "" for none): on
PostgreSQL a JSON column would reorder the members. An edit in the designer writes it in one
stable formatting (`dumps`), the one the files in examples/ use.
"""
from __future__ import annotations

import json

from engine.serialize import PAYLOAD_LIMIT, InvalidPayload, read_payload

MAX_INPUTS = 20
MAX_NAME = 80


class InvalidInputs(ValueError):
    """Sample inputs that cannot be kept; the message names what is wrong and where."""


def _no_twins(pairs):
    names = [name for name, _ in pairs]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        raise InvalidInputs(f"the input {twice!r} is named twice")
    return dict(pairs)


def parse(text: str) -> dict:
    """{name: input} in their order, from the text of an inputs file; InvalidInputs saying why not."""
    if not text.strip():
        return {}
    try:
        # JSON as AWS reads an execution's input (no NaN, no lone surrogates, a depth cap), of any size
        read_payload(text, what="it", limit=None)
    except InvalidPayload as e:
        raise InvalidInputs(str(e).rstrip(".")) from None
    inputs = json.loads(text, object_pairs_hook=_no_twins)
    if not isinstance(inputs, dict):
        raise InvalidInputs('it must be a JSON object of named inputs, e.g. {"An order": {"item": "tea"}}')
    check(inputs)
    return inputs


def check(inputs: dict):
    """InvalidInputs unless every name and input may be kept."""
    if len(inputs) > MAX_INPUTS:
        raise InvalidInputs(f"it has {len(inputs)} inputs, more than {MAX_INPUTS}")
    for name, value in inputs.items():
        if not name.strip() or len(name) > MAX_NAME:
            raise InvalidInputs(f"the name {name!r} must have 1 to {MAX_NAME} characters, not only spaces")
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        if size > PAYLOAD_LIMIT:
            raise InvalidInputs(f"the input {name!r} has {size} bytes, more than an execution's {PAYLOAD_LIMIT}")


def dumps(inputs: dict) -> str:
    """The one formatting the designer writes (and examples/ uses): two-space indent, a final newline."""
    return json.dumps(inputs, indent=2, ensure_ascii=False) + "\n" if inputs else ""


def for_form(text: str) -> list[dict]:
    """[{name, text}] for a Run form: each input as JSON text to edit. A stored text that no
    longer parses (it was checked when stored) offers nothing rather than failing the page."""
    try:
        inputs = parse(text)
    except InvalidInputs:
        return []
    return [{"name": name, "text": json.dumps(value, indent=2, ensure_ascii=False)} for name, value in inputs.items()]
