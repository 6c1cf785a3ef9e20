"""Regular expressions written by users, matched in linear time (RE2).

A backtracking engine (Python's `re`, JavaScript's) can take exponential time
on a pattern such as /^(a+)+$/: one JSONata `$contains` held the interpreter
for 19 s, and no time limit can interrupt a match in progress. Every regular
expression a workflow writes (JSONata regex literals in $match, $contains,
$replace, $split; JSONPath filters' `=~`) is compiled here, by RE2, whose
matching time grows linearly with the text. RE2 has no backreferences and no
lookaround; a pattern using them is refused with an error that names the
feature. https://github.com/google/re2/wiki/Syntax

Long but linear work is bounded too: a LinearPattern calls its `check`
every CHECK_EVERY matches (JSONata's checks its evaluation time limit).
"""
from __future__ import annotations

import functools
import re

from .dependencies import require

CHECK_EVERY = 256

# RE2's refusal -> what the pattern uses that RE2 lacks (JavaScript has them all)
_UNSUPPORTED = (
    (re.compile(r"invalid perl operator: \(\?="), "a lookahead (?=...)"),
    (re.compile(r"invalid perl operator: \(\?!"), "a negative lookahead (?!...)"),
    (re.compile(r"invalid perl operator: \(\?<="), "a lookbehind (?<=...)"),
    (re.compile(r"invalid perl operator: \(\?<!"), "a negative lookbehind (?<!...)"),
    (re.compile(r"invalid escape sequence: \\[1-9]"), "a backreference (\\1 ... \\9)"),
    (re.compile(r"invalid escape sequence: \\k"), "a named backreference \\k<name>"),
    (re.compile(r"invalid repetition size"), "a repetition count above 1000"),
    (re.compile(r"bad repetition operator: (\+\+|\*\+|\?\+)"), "a possessive quantifier"),
    (re.compile(r"pattern too large"), "more states than a linear-time match may hold"),
)

# JavaScript's \uXXXX is RE2's \x{XXXX}; other escapes pass as written (\\ stays a pair)
_JS_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|.)", re.S)


class UnsupportedRegex(ValueError):
    """A pattern RE2 cannot run: invalid, or using a feature only backtracking engines have."""


def compile_linear(pattern: str, *, ignore_case=False, multiline=False, check=None) -> "LinearPattern":
    """A JavaScript-flavoured pattern compiled by RE2. Raises UnsupportedRegex."""
    return LinearPattern(_compiled(pattern, ignore_case, multiline), pattern, check)


@functools.lru_cache(maxsize=512)
def _compiled(pattern, ignore_case, multiline):
    re2 = require("re2")
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    flags = "(?m)" if multiline else ""
    translated = _JS_ESCAPE.sub(lambda m: f"\\x{{{m.group(1)}}}" if m.group(1) else m.group(0), pattern)
    try:
        return re2.compile(flags + translated, options)
    except re2.error as e:
        raise UnsupportedRegex(_refusal(pattern, _text(e))) from None


def _text(error) -> str:
    text = error.args[0] if error.args else str(error)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _refusal(pattern: str, why: str) -> str:
    for sign, feature in _UNSUPPORTED:
        if sign.search(why):
            return (f"The regular expression /{pattern}/ uses {feature}, which is not supported here: regular "
                    "expressions run on RE2, in linear time")
    return f"The regular expression /{pattern}/ is not valid: {why}"


class LinearPattern:
    """What jsonata-python and jsonpath-ng ask of a compiled pattern: search, finditer, sub, split."""

    __slots__ = ("_regexp", "pattern", "_check")

    def __init__(self, regexp, pattern, check=None):
        self._regexp = regexp
        self.pattern = pattern
        self._check = check

    def __repr__(self):
        return f"LinearPattern(/{self.pattern}/)"

    def search(self, string):
        return self._regexp.search(string)

    def finditer(self, string):
        check = self._check
        for count, match in enumerate(self._regexp.finditer(string), 1):
            if check is not None and count % CHECK_EVERY == 0:
                check()
            yield match

    def sub(self, repl, string, count=0):
        """`repl`: a function of the match, or a template whose only specials are \\g<n> (group n)."""
        expand = repl if callable(repl) else functools.partial(_expand, repl)
        pieces, end = [], 0
        for n, match in enumerate(self.finditer(string), 1):
            pieces += (string[end:match.start()], expand(match))
            end = match.end()
            if n == count:
                break
        pieces.append(string[end:])
        return "".join(pieces)

    def split(self, string, maxsplit=0):
        """Like re.split: the pieces between matches, with the groups each match captured."""
        pieces, end = [], 0
        for n, match in enumerate(self.finditer(string), 1):
            pieces.append(string[end:match.start()])
            pieces += match.groups()
            end = match.end()
            if n == maxsplit:
                break
        pieces.append(string[end:])
        return pieces


_GROUP = re.compile(r"\\g<(\d+)>")


def _expand(template: str, match) -> str:
    """jsonata-python writes $n as \\g<n>: group n, or, when there is no group n, the longest
    group number its digits start with and the rest as text (as jsonata does); text otherwise."""
    groups = match.groups()

    def group(found):
        digits = found.group(1)
        for cut in range(len(digits), 0, -1):
            number = int(digits[:cut])
            if number <= len(groups):
                return (match.group(number) or "") + digits[cut:]
        return ""

    return _GROUP.sub(group, template)
