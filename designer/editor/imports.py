"""A definition brought in by the designer's Import: JSON or YAML text, read with limits that
hold BEFORE any parser runs, so that no document can hold the server for long.

- size: at most MAX_IMPORT_BYTES of UTF-8 (AWS's limit for a definition);
- YAML values: at most MAX_YAML_VALUES, counted by what separates them (lines, commas, colons,
  dashes, brackets: an upper bound). PyYAML builds each value in Python, about 6 us apiece with
  LibYAML's parser, 30 us without: a megabyte of `[],` would take seconds. JSON, parsed in C,
  has no such limit;
- nesting: at most payloads.MAX_DEPTH levels of brackets, counted in one pass over the text
  (PyYAML's pure-Python scanner is quadratic in the nesting of flow collections: 5,000 `{`
  took it 57 s);
- aliases: a YAML alias is the same value again, and a few lines of them can stand for billions
  of values once written out as JSON; the values are counted with each shared one counted once
  (MAX_VALUES at most: never more values than a definition has bytes), and a value that
  contains itself is refused.
"""
from __future__ import annotations

import json
from itertools import accumulate

import yaml

from designer import payloads

MAX_IMPORT_BYTES = 1024 * 1024
MAX_YAML_VALUES = 50_000
# written out, the values of a document may not outnumber the bytes a definition may have
MAX_VALUES = MAX_IMPORT_BYTES
# LibYAML's parser when PyYAML was built with it (the wheels are): linear, and it refuses
# nesting past 1,000 levels itself
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOO_DEEP = f"Not a state machine: it is nested more than {payloads.MAX_DEPTH} levels deep."
_BRACKETS = str.maketrans({"[": "+", "{": "+", "]": "-", "}": "-"})


class Refused(ValueError):
    """A document that is not imported; the message says why."""


def parse_import(text: str) -> dict:
    """The definition in an ASL document given as JSON or YAML. Raises Refused."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_IMPORT_BYTES:
        raise Refused(f"The document is {size:,} bytes: at most {MAX_IMPORT_BYTES:,} (1 MiB) can be imported.")
    try:
        definition = payloads.loads(text, what="The document")
    except ValueError as e:  # YAML; or JSON refused (NaN, a lone surrogate...), which is what YAML says it is
        definition = _load_yaml(text, json_error=str(e))
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        raise Refused("Not a state machine: it needs a States object.")
    try:
        json.dumps(definition)
    except (TypeError, ValueError):
        # YAML dates and the like have no JSON form
        raise Refused("The document has values JSON cannot hold (dates? quote them).") from None
    found = payloads.surrogate_in(definition)
    if found is not None:
        raise Refused(payloads.surrogate_message(f"The value at '{found[0] or '/'}'", found[1], found[2]) + ".")
    return definition


def _load_yaml(text: str, json_error: str):
    values = 1 + sum(text.count(separator) for separator in ",[{:-\n?")
    if values > MAX_YAML_VALUES:
        raise Refused(f"The YAML document has up to {values:,} values (lines, items, entries): at most "
                      f"{MAX_YAML_VALUES:,} are imported from YAML. Import it as JSON, which has no such limit.")
    if _bracket_depth(text) > payloads.MAX_DEPTH:
        raise Refused(f"Not a state machine: brackets nest more than {payloads.MAX_DEPTH} levels deep.")
    try:
        value = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except (yaml.YAMLError, ValueError) as e:  # ValueError: an integer of more than 4,300 digits
        if text.lstrip()[:1] in ("{", "["):  # meant as JSON: JSON's reason
            raise Refused(json_error) from None
        raise Refused(f"Neither JSON nor YAML: {str(e).splitlines()[0]}") from None
    except RecursionError:  # the pure-Python composer, on deep block nesting
        raise Refused(TOO_DEEP) from None
    values, depth = _measure(value)
    if values > MAX_VALUES:
        raise Refused(f"The document stands for {values:,} values once its aliases are written out: at most "
                      f"{MAX_VALUES:,}.")
    if depth > payloads.MAX_DEPTH:
        raise Refused(TOO_DEEP)
    return value


def _bracket_depth(text: str) -> int:
    """How deep [ and { nest, counted without regard to quotes (a bracket inside a string counts
    too: the bound is on the safe side)."""
    steps = text.translate(_BRACKETS)
    return max(accumulate(1 if c == "+" else -1 for c in steps if c in "+-"), default=0)


def _measure(root) -> tuple[int, int]:
    """(values, depth) of a parsed YAML document once written out, each value an alias shares
    measured once. Refused when a value contains itself. No recursion."""
    measured = {}  # id -> (values, depth)
    open_ = set()
    stack = [root]
    while stack:
        node = stack[-1]
        if not isinstance(node, (dict, list)) or id(node) in measured:
            stack.pop()
            continue
        children = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        waiting = [c for c in children if id(c) not in measured]
        if id(node) not in open_:
            if any(id(c) in open_ for c in waiting):
                raise Refused("The document refers to itself (a YAML alias inside its own anchor).")
            open_.add(id(node))
            stack.extend(waiting)
            continue
        if waiting:  # a child that is an ancestor's alias: a cycle
            raise Refused("The document refers to itself (a YAML alias inside its own anchor).")
        stack.pop()
        open_.discard(id(node))
        measured[id(node)] = (1 + len(node) - len(children) + sum(measured[id(c)][0] for c in children),
                              1 + max((measured[id(c)][1] for c in children), default=0))
    return measured.get(id(root), (1, 0))
