"""Reading an intrinsic function call: the grammar, into a tree of Literal, PathArg and Call.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

A syntax error is an IntrinsicSyntaxError naming the position; a call with
the wrong number of arguments parses (AWS accepts it in a definition and
fails at run time) and is recorded in Parser.problems for linters.
"""
from __future__ import annotations

import re

from ..jsonpath import PathSyntaxError, compile_path
from .functions import FUNCTIONS, MALFORMED
from .text import WHITESPACE

_MAX_DEPTH = 64  # nesting of calls; AWS documents 10, this only bounds recursion


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic function call AWS would accept in a definition."""


def is_intrinsic(text) -> bool:
    """Whether a `.$` value is an intrinsic call rather than a path.

    AWS decides by the prefix, exactly (no leading space, case-sensitive: a
    `States.format(...)` fails validation as neither path nor intrinsic).
    """
    return isinstance(text, str) and text.startswith("States.")


# The grammar:
# call     := 'States.' NAME ws? '(' ws? (arg (ws? ',' ws? arg)*)? ws? ')'
# arg      := string | number | 'true' | 'false' | 'null' | path | call
# string   := "'" (char | '\' ("'" | '{' | '}' | '\'))* "'"
# number   := JSON number (ints stay ints)
# path     := '$' ... up to a ',' or ')' outside brackets: $, $.a[0], $$.Execution.Id, $var.x


_NAME = re.compile(r"States\.([A-Za-z0-9_]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None}
_ESCAPABLE = "'{}\\"


class Literal:
    """A string, number, true, false or null written in the call."""

    __slots__ = ("value", "template")

    def __init__(self, value, template=None):
        self.value = value
        self.template = template  # for a string: its pieces around `{}`, escapes honoured


class PathArg:
    """A path argument: its text as written and the compiled path."""

    __slots__ = ("text", "path")

    def __init__(self, text, path):
        self.text, self.path = text, path


class Call:
    """A States.X(...) call: its name, its row of FUNCTIONS and its arguments."""

    __slots__ = ("name", "function", "args")

    def __init__(self, name, function, args):
        self.name, self.function, self.args = name, function, args


class Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.problems = []

    def fail(self, what, pos=None):
        pos = self.pos if pos is None else pos
        return IntrinsicSyntaxError(f"{what} at position {pos} of the intrinsic function call {self.text!r}")

    def skip_whitespace(self):
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in WHITESPACE:
            pos += 1
        self.pos = pos

    def parse(self):
        call = self.call(depth=0)
        self.skip_whitespace()
        if self.pos != len(self.text):
            raise self.fail(f"Unexpected {self.text[self.pos:]!r} after the closing ')'")
        return call

    def call(self, depth):
        if depth > _MAX_DEPTH:
            raise self.fail(f"Intrinsic function calls nested more than {_MAX_DEPTH} deep")
        start = self.pos
        match = _NAME.match(self.text, start)
        if match is None:
            raise self.fail("Expected 'States.' and a function name")
        name = match.group(0)
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.fail(f"Unknown intrinsic function '{name}'", start)
        self.pos = match.end()
        self.skip_whitespace()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"Expected '(' after '{name}'")
        self.pos += 1
        args = []
        self.skip_whitespace()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                self.skip_whitespace()
                args.append(self.argument(depth))
                self.skip_whitespace()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                elif self.text.startswith(")", self.pos):
                    self.pos += 1
                    break
                elif self.pos >= len(self.text):
                    raise self.fail(f"Missing ')' to close '{name}('")
                else:
                    raise self.fail(f"Expected ',' or ')' in the arguments of '{name}'")
        if len(args) < function.min_args or (function.max_args is not None and len(args) > function.max_args):
            expected = (str(function.min_args) if function.min_args == function.max_args
                        else f"{function.min_args} or more" if function.max_args is None
                        else f"{function.min_args} to {function.max_args}")
            self.problems.append(f"{name} takes {expected} argument(s), not {len(args)} (at position {start})")
        return Call(name, function, args)

    def argument(self, depth):
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise self.fail("Expected an argument")
        char = text[pos]
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if text.startswith("States.", pos):
            return self.call(depth + 1)
        if char == "-" or "0" <= char <= "9":
            return self.number()
        for word, value in _WORDS.items():
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                return Literal(value)
        raise self.fail(f"Unexpected {char!r}: expected a string in single quotes, a number, "
                        "true, false, null, a path starting with '$' or a States. call")

    def string(self):
        text = self.text
        start = pos = self.pos + 1
        value = []
        pieces, piece, malformed = [], [], False
        while True:
            if pos >= len(text):
                raise self.fail("Unterminated string: missing the closing \"'\"", start - 1)
            char = text[pos]
            if char == "'":
                break
            if char == "\\":
                escaped = text[pos + 1:pos + 2]
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.fail(f"Invalid escape '\\{escaped}' in a string: only \\' \\{{ \\}} and \\\\ "
                                    "are allowed", pos)
                value.append(escaped)
                piece.append(escaped)  # an escaped brace is text, never a placeholder
                pos += 2
                continue
            if char == "{" and text.startswith("{}", pos):
                value.append("{}")
                pieces.append("".join(piece))
                piece = []
                pos += 2
                continue
            if char in "{}":
                malformed = True
            value.append(char)
            piece.append(char)
            pos += 1
        self.pos = pos + 1
        pieces.append("".join(piece))
        return Literal("".join(value), MALFORMED if malformed else tuple(pieces))

    def number(self):
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.fail("Invalid number")
        digits = match.group(0)
        self.pos = match.end()
        try:
            if match.group(1) is None and match.group(2) is None:
                return Literal(int(digits))
            return Literal(float(digits))
        except ValueError:
            raise self.fail(f"The number {digits[:20]}... is too long", match.start()) from None

    def path(self):
        text, start = self.text, self.pos
        pos, depth, quote = start, 0, None
        while pos < len(text):
            char = text[pos]
            if quote:
                if char == "\\":
                    pos += 1
                elif char == quote:
                    quote = None
            elif depth and char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (char == "," or char in WHITESPACE):
                break
            pos += 1
        source = text[start:pos]
        try:
            path = compile_path(source)
        except PathSyntaxError as e:
            raise self.fail(f"Invalid JSONPath {source!r}: {e}", start) from None
        self.pos = pos
        return PathArg(source, path)
