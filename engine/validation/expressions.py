"""Checks on the expressions inside a definition: JSONPath paths, payload
templates (`"key.$"` fields), intrinsic function calls, JSONata `{% ... %}`
strings and Assign's variable names.

Every parser here is somebody else's code running on hostile text, so each
call is fenced: whatever it raises becomes a problem, never an exception.
"""
from __future__ import annotations

import re

from ..dependencies import MissingDependency, require
from ..jsonpath import DATA, PathSyntaxError, compile_path
from .problems import (
    INVALID_JSONATA_EXPRESSION,
    NO_DOLLAR,
    TOO_DEEPLY_NESTED,
    UNSUPPORTED_JSONATA_EXPRESSION,
    Report,
    pointer,
    show,
)

MAX_VALUE_DEPTH = 100   # nesting of payload templates, Output, Assign values
MAX_AST_DEPTH = 200     # nesting of a parsed JSONata expression we walk

# --- JSONPath ----------------------------------------------------------------


def path_error(text, *, reference: bool = False) -> str | None:
    """Why `text` is not an acceptable path (None when it is).

    A reference path (ResultPath) must be definite and rooted at the state's
    data `$`: it names one place to write to.
    """
    if not isinstance(text, str):
        return "it must be a string"
    try:
        path = compile_path(text)
    except PathSyntaxError as e:
        return _clip(str(e), 200)
    except MissingDependency:
        raise
    except Exception as e:  # the path library on hostile text
        return f"'{_clip(text)}' is not a valid JSONPath ({type(e).__name__})"
    if reference and (not path.definite or path.root is not DATA):
        return (f"'{_clip(text)}' is not a reference path: it must start with '$' and name one "
                "place with only field names and array indexes (no '$$', variables, wildcards or filters)")
    return None


# --- intrinsic functions ------------------------------------------------------


def intrinsic_error(text: str) -> str | None:
    """Why `text` is not a valid intrinsic function call (None when it is); the grammar is
    engine/intrinsics/parser.py's."""
    from ..intrinsics import IntrinsicSyntaxError, compile_intrinsic

    try:
        compile_intrinsic(text)
    except IntrinsicSyntaxError as e:
        return _clip(str(e), 200) or f"'{_clip(text)}' is not a valid intrinsic function call"
    except MissingDependency:
        raise
    except Exception as e:
        return f"'{_clip(text)}' is not a valid intrinsic function call ({type(e).__name__})"
    return None


def path_or_intrinsic_error(value) -> str | None:
    if not isinstance(value, str):
        return "it must be a string"
    if value.startswith("$"):
        return path_error(value)
    return intrinsic_error(value)


# --- payload templates (JSONPath states) --------------------------------------

_LOOKS_DYNAMIC = re.compile(r"(\$\.|\$\$\.|\$\[|States\.[A-Za-z0-9]+\()")


def check_template(report: Report, ptr: str, value, state: str, field: str, depth: int = 0) -> None:
    """A payload template: every `"key.$"` must hold a path or an intrinsic call."""
    if depth > MAX_VALUE_DEPTH:
        report.error(ptr, TOO_DEEPLY_NESTED,
                     f"The '{field}' of state '{state}' is nested more than {MAX_VALUE_DEPTH} levels deep; flatten it.")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            here = pointer(ptr, key)
            if isinstance(key, str) and key.endswith(".$"):
                why = path_or_intrinsic_error(item)
                if why:
                    report.schema(here, (
                        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function "
                        f"call (in '{field}' of state '{state}'): {why}. Give a path such as \"$.name\" or a call "
                        "such as \"States.Format('{}', $.name)\", or drop '.$' from the key to use the text as it is."))
            else:
                if isinstance(item, str) and _LOOKS_DYNAMIC.match(item):
                    report.warning(here, NO_DOLLAR, (
                        f"The field '{key}' in '{field}' of state '{state}' holds {show(item)}, which looks like a "
                        f"JSONPath or an intrinsic function, but its key does not end with '.$', so it is passed as "
                        f"plain text. Rename the key to '{key}.$' to evaluate it."))
                check_template(report, here, item, state, field, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_template(report, pointer(ptr, i), item, state, field, depth + 1)


# --- Assign -------------------------------------------------------------------

RESERVED_VARIABLES = frozenset({"states"})
MAX_VARIABLE_NAME = 80


def variable_name_error(name: str) -> str | None:
    if name in RESERVED_VARIABLES:
        return f"'{name}' is reserved by Step Functions ($states holds the state's input, result and context)"
    if not name:
        return "a variable name cannot be empty"
    if len(name) > MAX_VARIABLE_NAME:
        return f"a variable name can have at most {MAX_VARIABLE_NAME} characters"
    if not name.isidentifier():
        return "a variable name must start with a letter or '_' and contain only letters, digits and '_'"
    return None


def check_assign(report: Report, ptr: str, value, state: str, jsonata: bool, where: str = "Assign",
                 result_ok: bool = False, error_output_ok: bool = False) -> None:
    if not isinstance(value, dict):
        report.schema(ptr, f"'{where}' of state '{state}' must be an object of variable names and values, not {show(value)}.")
        return
    for key, item in value.items():
        here = pointer(ptr, key)
        name = key[:-2] if (not jsonata and key.endswith(".$")) else key
        why = variable_name_error(name)
        if why:
            report.schema(here, f"'{key}' in '{where}' of state '{state}' is not a valid variable name: {why}.")
        if jsonata:
            check_jsonata_value(report, here, item, state, where, result_ok=result_ok, error_output_ok=error_output_ok)
        elif key.endswith(".$"):
            why = path_or_intrinsic_error(item)
            if why:
                report.schema(here, (
                    f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call "
                    f"(in '{where}' of state '{state}'): {why}."))
        else:
            check_template(report, here, item, state, where, 1)


# --- JSONata ------------------------------------------------------------------


def jsonata_body(value) -> str | None:
    """The expression inside a `{% ... %}` string, else None (a plain value)."""
    if isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}"):
        return value[2:-2]
    return None


def check_jsonata_value(report: Report, ptr: str, value, state: str, field: str, depth: int = 0,
                        result_ok: bool = False, error_output_ok: bool = False) -> None:
    """Every `{% %}` string inside a JSON value (Arguments, Output, Assign ...)."""
    if depth > MAX_VALUE_DEPTH:
        report.error(ptr, TOO_DEEPLY_NESTED,
                     f"The '{field}' of state '{state}' is nested more than {MAX_VALUE_DEPTH} levels deep; flatten it.")
        return
    if isinstance(value, str):
        body = jsonata_body(value)
        if body is not None:
            check_jsonata(report, ptr, body, state, field, result_ok=result_ok, error_output_ok=error_output_ok)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_jsonata_value(report, pointer(ptr, key), item, state, field, depth + 1, result_ok, error_output_ok)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_jsonata_value(report, pointer(ptr, i), item, state, field, depth + 1, result_ok, error_output_ok)


def check_jsonata(report: Report, ptr: str, body: str, state: str, field: str,
                  result_ok: bool = False, error_output_ok: bool = False) -> None:
    jsonata = require("jsonata")
    from ..jsonata_query.bridge import describe
    from ..jsonata_query.regexes import regex_engine  # regex literals as the engine runs them (RE2)

    try:
        ast = jsonata.Jsonata(body, regex_engine).ast
    except Exception as e:  # JException, RecursionError, anything the parser throws
        code, detail = describe(e) if isinstance(e, jsonata.JException) else (None, str(e) or type(e).__name__)
        report.error(ptr, INVALID_JSONATA_EXPRESSION, (
            f"The JSONata expression '{_clip(body)}' in '{field}' of state '{state}' does not parse: "
            f"{_clip(f'{code}: {detail}' if code else detail, 240)}. Fix the expression between '{{%' and '%}}'."))
        return
    for message in _reference_problems(ast, result_ok, error_output_ok):
        report.error(ptr, UNSUPPORTED_JSONATA_EXPRESSION, f"{message} (in '{field}' of state '{state}')")


# Attributes of jsonata-python's parsed nodes that hold sub-expressions.
_CHILDREN = ("lhs", "rhs", "expression", "procedure", "arguments", "condition", "then", "_else",
             "expressions", "lhs_object", "rhs_object", "pattern", "update", "delete")


def _reference_problems(ast, result_ok: bool, error_output_ok: bool) -> list[str]:
    """What AWS refuses in an expression that parses.

    The States language: an expression must not reference `$` or an unqualified
    field name at its top level (there is no input bound there: read
    `$states.input`), nor `$$`; `$states.result` exists only in the Output and
    Assign of a Task, Parallel or Map, `$states.errorOutput` only in a Catcher.
    """
    found: list[str] = []
    seen: set[str] = set()

    def say(message: str) -> None:
        if message not in seen:
            seen.add(message)
            found.append(message)

    def walk(node, in_context: bool, depth: int) -> None:
        if depth > MAX_AST_DEPTH or node is None or isinstance(node, (str, int, float, bool)):
            return
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item, in_context, depth + 1)
            return
        kind = getattr(node, "type", None)
        value = getattr(node, "value", None)
        if kind == "path":
            steps = getattr(node, "steps", None) or []
            if len(steps) >= 2 and getattr(steps[0], "type", None) == "variable" and steps[0].value == "states":
                name = getattr(steps[1], "value", None)
                if name == "result" and not result_ok:
                    say("$states.result is only available in the 'Output' and 'Assign' of a Task, Parallel or Map "
                        "state, after it has a result; read $states.input here")
                elif name == "errorOutput" and not error_output_ok:
                    say("$states.errorOutput is only available in the 'Output' and 'Assign' of a Catcher")
            for i, step in enumerate(steps):
                walk(step, in_context or i > 0, depth + 1)
            walk(getattr(node, "group", None), True, depth + 1)
            return
        if kind == "name" and not in_context:
            say(f"Reference to '{value}' at the top level is not supported: there is no input there, "
                f"read it from $states.input (e.g. $states.input.{value}) or from a variable")
        elif kind == "variable" and value == "" and not in_context:
            say("Reference to '$' at the top level is not supported: use $states.input")
        elif kind == "variable" and value == "$":
            say("'$$' is not supported in Step Functions JSONata expressions: use $states.input or $states.context")
        if kind == "lambda":
            walk(getattr(node, "body", None), True, depth + 1)  # runs later, on whatever it is given
        elif kind == "transform":
            for attr in ("pattern", "update", "delete"):
                walk(getattr(node, attr, None), True, depth + 1)
        else:
            for attr in _CHILDREN:
                child = getattr(node, attr, None)
                if child is not None and child is not node:
                    walk(child, in_context, depth + 1)
        for attr in ("stages", "predicate"):
            walk(getattr(node, attr, None), True, depth + 1)
        if kind in ("filter",):
            walk(getattr(node, "expr", None), True, depth + 1)
        if kind == "sort":
            for term in getattr(node, "terms", None) or []:
                walk(getattr(term, "expression", None), True, depth + 1)
        group = getattr(node, "group", None)
        if group is not None and kind != "path":
            walk(group, True, depth + 1)

    try:
        walk(ast, False, 0)
    except Exception:  # a node shape this walk does not know: say nothing rather than guess
        return found
    return found


def _clip(text, limit: int = 80) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
