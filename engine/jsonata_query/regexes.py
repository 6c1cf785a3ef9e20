"""JSONata's regular expression literals (/.../i, /.../m), compiled by RE2 (engine/regex.py).

A pattern RE2 refuses (a backreference, a lookaround) fails the parse, so the
validator reports it when the definition is written, naming the feature.
While an evaluation runs, its matching also stops at the evaluation's time
limit (D1012), however long the text.
"""
from __future__ import annotations

import time

from jsonata import jexception

from ..regex import UnsupportedRegex, compile_linear
from .functions import per_thread


def regex_engine(pattern: str, flags):
    """jsonata-python's pluggable regex engine (Jsonata(source, regex_engine))."""
    try:
        return compile_linear(pattern, ignore_case=flags.case_insensitive, multiline=flags.multiline,
                              check=_within_time_limit)
    except UnsupportedRegex as e:
        raise jexception.JException(str(e), -1) from None


def _within_time_limit():
    deadline = getattr(per_thread, "deadline", None)
    if deadline is not None and time.monotonic() > deadline[0]:
        raise jexception.JException("D1012", -1, deadline[1])
