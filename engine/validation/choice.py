"""Choice rules: one comparison per leaf, operands of the right type,
And/Or/Not well formed, Next only on the top-level rules.

A table of operators, not an if-chain: each comparison names the operand
check it needs; its `...Path` twin takes a path instead.
"""
from __future__ import annotations

import re
from datetime import datetime

from .expressions import (
    check_assign,
    check_jsonata,
    check_jsonata_value,
    jsonata_body,
    path_error,
)
from .problems import TOO_DEEPLY_NESTED, Report, kind, pointer, show

MAX_RULE_DEPTH = 50


def is_string(value) -> bool:
    return isinstance(value, str)


def is_number(value) -> bool:
    # bool is an int to Python, but not a number to ASL
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_boolean(value) -> bool:
    return isinstance(value, bool)


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))\Z")


def is_timestamp(value) -> bool:
    """A timestamp literal the engine can compare (engine/timestamps.py owns
    AWS's grammar; the RFC 3339 fallback here is used only if it is missing)."""
    if not isinstance(value, str):
        return False
    try:
        from ..timestamps import parse_instant
    except Exception:
        return _is_rfc3339(value)
    try:
        return parse_instant(value) is not None
    except Exception:
        return False


def _is_rfc3339(value: str) -> bool:
    m = _RFC3339.match(value)
    if m is None:
        return False
    try:
        datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError:
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


# operator -> (operand check, what the operand must be)
_STRING = (is_string, "a string")
_NUMBER = (is_number, "a number")
_BOOLEAN = (is_boolean, "true or false")
_TIMESTAMP = (is_timestamp, "an RFC 3339 timestamp such as \"2016-03-14T01:59:00Z\"")

COMPARISONS = {
    "StringEquals": _STRING, "StringLessThan": _STRING, "StringGreaterThan": _STRING,
    "StringLessThanEquals": _STRING, "StringGreaterThanEquals": _STRING, "StringMatches": _STRING,
    "NumericEquals": _NUMBER, "NumericLessThan": _NUMBER, "NumericGreaterThan": _NUMBER,
    "NumericLessThanEquals": _NUMBER, "NumericGreaterThanEquals": _NUMBER,
    "BooleanEquals": _BOOLEAN,
    "TimestampEquals": _TIMESTAMP, "TimestampLessThan": _TIMESTAMP, "TimestampGreaterThan": _TIMESTAMP,
    "TimestampLessThanEquals": _TIMESTAMP, "TimestampGreaterThanEquals": _TIMESTAMP,
    "IsNull": _BOOLEAN, "IsPresent": _BOOLEAN, "IsNumeric": _BOOLEAN, "IsString": _BOOLEAN,
    "IsBoolean": _BOOLEAN, "IsTimestamp": _BOOLEAN,
}
# The "...Path" twins compare with a value read from the input.
PATH_COMPARISONS = frozenset(
    name + "Path" for name in COMPARISONS if not name.startswith("Is") and name != "StringMatches")
OPERATORS = frozenset(COMPARISONS) | PATH_COMPARISONS
BOOLEAN_OPERATORS = ("And", "Or", "Not")

_JSONPATH_RULE_FIELDS = frozenset({"Variable", "Next", "Comment", "Assign"}) | OPERATORS | set(BOOLEAN_OPERATORS)
_JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})


def check_choices(report: Report, ptr: str, state_name: str, state: dict, jsonata: bool) -> list:
    """Check Choices; return (pointer, target) for every rule's Next."""
    targets = []
    choices = state.get("Choices")
    here = pointer(ptr, "Choices")
    if "Choices" not in state:
        report.schema(ptr, f"Choice state '{state_name}' needs 'Choices': a non-empty array of rules, "
                           "each with a 'Next'.")
        return targets
    if not isinstance(choices, list) or not choices:
        report.schema(here, f"'Choices' of Choice state '{state_name}' must be a non-empty array of rules, "
                            f"not {show(choices)}.")
        return targets
    for i, rule in enumerate(choices):
        rule_ptr = pointer(here, i)
        if not isinstance(rule, dict):
            report.schema(rule_ptr, f"Choice rule {i} of state '{state_name}' must be an object, not {show(rule)}.")
            continue
        if "Next" not in rule:
            report.schema(rule_ptr, f"These fields are required: [Next]. Choice rule {i} of state '{state_name}' "
                                    "must name the state to go to when it matches.")
        elif not isinstance(rule["Next"], str) or not rule["Next"]:
            report.schema(pointer(rule_ptr, "Next"),
                          f"'Next' of choice rule {i} in state '{state_name}' must be a state name, "
                          f"not {show(rule['Next'])}.")
        else:
            targets.append((pointer(rule_ptr, "Next"), rule["Next"]))
        if jsonata:
            _check_jsonata_rule(report, rule_ptr, state_name, i, rule)
        else:
            _check_rule(report, rule_ptr, state_name, rule, top=True, depth=0)
            if "Assign" in rule:
                check_assign(report, pointer(rule_ptr, "Assign"), rule["Assign"], state_name, False)
    return targets


def _check_jsonata_rule(report: Report, ptr: str, state_name: str, i: int, rule: dict) -> None:
    for key in rule:
        if key in _JSONATA_RULE_FIELDS:
            continue
        if key in _JSONPATH_RULE_FIELDS:
            report.schema(ptr, f"The QueryLanguage is set to 'JSONata', but field '{key}' is only supported for the "
                               f"'JSONPath' QueryLanguage (choice rule {i} of state '{state_name}'). "
                               "A JSONata rule tests a 'Condition' such as \"{% $states.input.x > 1 %}\".")
        else:
            report.schema(ptr, f"Field '{key}' is not supported in choice rule {i} of state '{state_name}'.")
    if "Condition" not in rule:
        report.schema(ptr, f"These fields are required: [Condition]. Choice rule {i} of JSONata state "
                           f"'{state_name}' needs a 'Condition' such as \"{{% $states.input.x > 1 %}}\".")
    else:
        condition = rule["Condition"]
        body = jsonata_body(condition)
        if body is not None:
            check_jsonata(report, pointer(ptr, "Condition"), body, state_name, "Condition")
        elif not isinstance(condition, bool):
            report.schema(pointer(ptr, "Condition"),
                          f"'Condition' of choice rule {i} in state '{state_name}' must be a JSONata expression "
                          f"\"{{% ... %}}\" or a boolean, not {show(condition)}.")
    if "Assign" in rule:
        check_assign(report, pointer(ptr, "Assign"), rule["Assign"], state_name, True)
    if "Output" in rule:
        check_jsonata_value(report, pointer(ptr, "Output"), rule["Output"], state_name, "Output")


def _check_rule(report: Report, ptr: str, state_name: str, rule: dict, top: bool, depth: int) -> None:
    if depth > MAX_RULE_DEPTH:
        report.error(ptr, TOO_DEEPLY_NESTED, f"The choice rules of state '{state_name}' are nested more than "
                                             f"{MAX_RULE_DEPTH} levels deep; simplify them.")
        return
    where = "a choice rule" if top else "a nested choice rule"
    for key in rule:
        if key in ("Condition", "Output"):
            report.schema(ptr, f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for "
                               f"the 'JSONata' QueryLanguage ({where} of state '{state_name}').")
        elif key in ("Next", "Assign") and not top:
            report.schema(ptr, f"Field '{key}' is not supported in {where} of state '{state_name}': only the "
                               "top-level rules in 'Choices' name a 'Next' or 'Assign' variables.")
        elif key not in _JSONPATH_RULE_FIELDS:
            report.schema(ptr, f"Field '{key}' is not supported in {where} of state '{state_name}'.")
    booleans = [k for k in BOOLEAN_OPERATORS if k in rule]
    comparisons = [k for k in rule if k in OPERATORS]
    if booleans:
        if len(booleans) > 1 or comparisons or "Variable" in rule:
            report.schema(ptr, f"{where.capitalize()} of state '{state_name}' combines "
                               f"{', '.join(booleans + comparisons + (['Variable'] if 'Variable' in rule else []))}: "
                               "a rule is either one of And/Or/Not, or a 'Variable' with one comparison.")
        for op in booleans:
            _check_boolean(report, pointer(ptr, op), state_name, op, rule[op], depth)
        return
    if "Variable" not in rule:
        report.schema(ptr, f"These fields are required: [Variable]. {where.capitalize()} of state '{state_name}' "
                           "compares the value at 'Variable' (a path such as \"$.status\").")
    else:
        why = path_error(rule["Variable"])
        if why:
            report.schema(pointer(ptr, "Variable"),
                          f"The value for the field 'Variable' must be a valid JSONPath (state '{state_name}'): {why}.")
    if not comparisons:
        report.schema(ptr, f"{where.capitalize()} of state '{state_name}' has no comparison operator: add exactly "
                           "one, such as \"StringEquals\", \"NumericGreaterThan\" or \"IsPresent\".")
    elif len(comparisons) > 1:
        report.schema(ptr, f"{where.capitalize()} of state '{state_name}' has {len(comparisons)} comparison "
                           f"operators ({', '.join(comparisons)}): a rule takes exactly one. Combine rules with "
                           "\"And\" or \"Or\" instead.")
    for op in comparisons:
        operand = rule[op]
        if op in PATH_COMPARISONS:
            why = path_error(operand)
            if why:
                report.schema(pointer(ptr, op), f"The value for the field '{op}' must be a valid JSONPath "
                                                f"(state '{state_name}'): {why}.")
            continue
        check, expected = COMPARISONS[op]
        if not check(operand):
            report.schema(pointer(ptr, op), f"The operand of '{op}' in state '{state_name}' must be {expected}, "
                                            f"not {kind(operand)} ({show(operand)}).")


def _check_boolean(report: Report, ptr: str, state_name: str, op: str, value, depth: int) -> None:
    if op == "Not":
        if not isinstance(value, dict):
            report.schema(ptr, f"'Not' in state '{state_name}' must hold one choice rule (an object), "
                               f"not {show(value)}.")
            return
        _check_rule(report, ptr, state_name, value, top=False, depth=depth + 1)
        return
    if not isinstance(value, list) or not value:
        report.schema(ptr, f"'{op}' in state '{state_name}' must be a non-empty array of choice rules, "
                           f"not {show(value)}.")
        return
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            report.schema(pointer(ptr, i), f"Item {i} of '{op}' in state '{state_name}' must be a choice rule "
                                           f"(an object), not {show(item)}.")
            continue
        _check_rule(report, pointer(ptr, i), state_name, item, top=False, depth=depth + 1)
