"""JSONPath as Step Functions evaluates it (Jayway's semantics).

A *definite* path (only names and indexes: `$.a.b[0]['c d']`) yields one value
or fails with PathNotFound. An *indefinite* path (wildcards, slices, unions,
filters, deep scans) yields a list, possibly empty, and never fails on missing
data. Definite paths are compiled to a tuple of keys and walked directly (the
hot path); indefinite ones are delegated to jsonpath-ng's extended parser.
Every parsed path is cached, since parsing costs far more than evaluating.

A path is rooted at the state's data (`$`), the context object (`$$`) or a
workflow variable (`$name`); `resolve()` is given all three.
"""
from __future__ import annotations

import functools
import re

from .dependencies import require
from .regex import UnsupportedRegex, compile_linear


class PathSyntaxError(ValueError):
    """The text is not a JSONPath Step Functions accepts."""


class PathNotFound(LookupError):
    """A definite path that leads nowhere in the data it was applied to."""

    def __init__(self, path: "Path"):
        super().__init__(f"No results for path: {path.normalized}")
        self.path = path


class PathTooDeep(PathNotFound):
    """An indefinite path (a deep scan) over data nested deeper than it can walk."""

    def __init__(self, path: "Path"):
        LookupError.__init__(self, f"The data is nested too deeply to apply {path.text} to it")
        self.path = path


class ResultPathMatchFailure(LookupError):
    """A ResultPath that cannot be placed into the data (e.g. into a string)."""


DATA, CONTEXT, VARIABLE = "$", "$$", "var"

_VARIABLE_ROOT = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_DOT_NAME = re.compile(r"\.([^.\[\]\s*()'\",?@:]+)")
_BRACKET_NAME = re.compile(r"""\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]""")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
# A quoted member name unescapes as Jayway's Utils.unescape does: Java's escapes, \uXXXX, and
# a backslash before any other character stands for that character ($['a\"b'] is a"b).
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.S)
_JAVA_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}


def _unescape(match) -> str:
    escaped = match.group(1)
    if len(escaped) == 5:
        return chr(int(escaped[1:], 16))
    return _JAVA_ESCAPES.get(escaped, escaped)


class Path:
    """A compiled JSONPath. Immutable; compare paths by their text."""

    __slots__ = ("text", "root", "variable", "keys", "definite", "_indefinite")

    def __init__(self, text, root, variable, keys, indefinite):
        self.text = text
        self.root = root
        self.variable = variable
        self.keys = keys
        self.definite = indefinite is None
        self._indefinite = indefinite

    def __repr__(self):
        return f"Path({self.text!r})"

    @property
    def normalized(self) -> str:
        """Jayway's bracket form, as AWS quotes it in error causes: $['a'][0]."""
        if not self.definite:
            return self.text
        head = "$" if self.root != VARIABLE else "$" + self.variable
        return head + "".join(f"[{k}]" if type(k) is int else f"['{k}']" for k in self.keys)

    def find(self, value):
        """Apply the path to `value` as if it were the path's root."""
        if self._indefinite is not None:
            try:
                return [match.value for match in self._indefinite.find(value)]
            except RecursionError:
                raise PathTooDeep(self) from None
        for key in self.keys:
            if type(key) is str:
                if isinstance(value, dict) and key in value:
                    value = value[key]
                    continue
            elif isinstance(value, list) and -len(value) <= key < len(value):
                value = value[key]
                continue
            raise PathNotFound(self)
        return value

    def resolve(self, data, context=None, variables=None):
        """Evaluate against the state data, the context object or the variables."""
        if self.root is DATA:
            return self.find(data)
        if self.root is CONTEXT:
            return self.find(context)
        if variables is None or self.variable not in variables:
            raise PathNotFound(self)
        return self.find(variables[self.variable])

    def place(self, data, result):
        """Return `data` with `result` placed at this (definite) path, as ResultPath does.

        Never mutates `data`: containers along the path are copied, the rest shared.
        Missing objects on the way are created; anything else in the way fails.
        """
        if not self.definite or self.root is not DATA:
            raise ResultPathMatchFailure(f"'{self.text}' is not a reference path")
        return _place(data, self.keys, 0, result, self)


def _place(node, keys, i, result, path):
    if i == len(keys):
        return result
    key = keys[i]
    if type(key) is str:
        if not isinstance(node, dict):
            raise ResultPathMatchFailure(path)
        copy = dict(node)
        copy[key] = _place(node.get(key), keys, i + 1, result, path) if key in node else _place_new(keys, i + 1, result, path)
        return copy
    if not isinstance(node, list) or not -len(node) <= key < len(node):
        raise ResultPathMatchFailure(path)
    copy = list(node)
    copy[key] = _place(node[key], keys, i + 1, result, path)
    return copy


def _place_new(keys, i, result, path):
    for key in reversed(keys[i:]):
        if type(key) is not str:
            raise ResultPathMatchFailure(path)
        result = {key: result}
    return result


@functools.lru_cache(maxsize=4096)
def compile_path(text: str) -> Path:
    """Parse a JSONPath (cached). Raises PathSyntaxError."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"'{text}' is not a JSONPath: it must start with '$'")
    if text.startswith("$$"):
        root, variable, rest = CONTEXT, None, text[2:]
    elif (m := _VARIABLE_ROOT.match(text)) is not None:
        root, variable, rest = VARIABLE, m.group(1), text[m.end():]
    else:
        root, variable, rest = DATA, None, text[1:]
    keys = _definite_keys(rest)
    if keys is not None:
        return Path(text, root, variable, keys, None)
    ext = _jsonpath_ng()  # only indefinite paths need it: slow to import
    for operand in _REGEX_OPERAND.finditer(rest):
        try:
            linear_regex(operand.group(1) if operand.group(1) is not None else operand.group(2))
        except UnsupportedRegex as e:
            raise PathSyntaxError(f"'{text}' is not a valid JSONPath: {e}") from None
    try:
        indefinite = ext.parse("$" + rest)
    except Exception as e:  # its lexer and parser raise several unrelated types
        raise PathSyntaxError(f"'{text}' is not a valid JSONPath: {e}") from None
    return Path(text, root, variable, (), indefinite)


# A filter's `=~ 'pattern'` (or "pattern"): a user's regular expression, matched in linear time.
_REGEX_OPERAND = re.compile(r"""=~\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")


@functools.cache
def _jsonpath_ng():
    ext = require("jsonpath_ng.ext")
    from jsonpath_ng.ext import filter as filters

    filters.OPERATOR_MAP["=~"] = lambda value, pattern: isinstance(value, str) and \
        linear_regex(pattern).search(value) is not None
    return ext


@functools.lru_cache(maxsize=256)
def linear_regex(pattern):
    return compile_linear(pattern)


def _definite_keys(rest: str):
    """The keys of a path made only of names and indexes, else None."""
    keys = []
    pos = 0
    while pos < len(rest):
        if m := _DOT_NAME.match(rest, pos):
            keys.append(m.group(1))
        elif m := _BRACKET_NAME.match(rest, pos):
            raw = m.group(1) if m.group(1) is not None else m.group(2)
            keys.append(_ESCAPE.sub(_unescape, raw))
        elif m := _INDEX.match(rest, pos):
            keys.append(int(m.group(1)))
        else:
            return None
        pos = m.end()
    return tuple(keys)
