"""Retry and Catch: well-formed retriers and catchers, States.ALL alone and
last, retry timings in range, and each catcher's Next (returned for the
graph checks)."""
from __future__ import annotations

import math

from .expressions import check_assign, check_jsonata_value, path_error
from .problems import kind, pointer, show

JSONPATH, JSONATA = "JSONPath", "JSONata"
MAX_SECONDS = 99999999
MAX_DELAY_SECONDS = 31622400   # one year: the upper bound AWS documents for a retrier's MaxDelaySeconds


def _plain_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)



_RETRIER_FIELDS = frozenset({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                             "JitterStrategy", "Comment"})
_CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})


def _handlers(c, key: str):
    """Yield (index, pointer, object) for each well-formed Retry/Catch entry."""
    if key not in c.state:
        return
    value = c.state[key]
    if not isinstance(value, list):
        c.report.schema(c.at(key), f"'{key}' of {c.label} must be an array, not {kind(value)}.")
        return
    last = len(value) - 1
    for i, item in enumerate(value):
        here = c.at(key, i)
        if not isinstance(item, dict):
            c.report.schema(here, f"Item {i} of '{key}' in {c.label} must be an object, not {kind(item)}.")
            continue
        _check_error_equals(c, key, i, here, item, i == last)
        yield i, here, item


def _check_error_equals(c, key: str, i: int, ptr: str, item: dict, last: bool) -> None:
    what = "retrier" if key == "Retry" else "catcher"
    if "ErrorEquals" not in item:
        c.report.schema(ptr, f"These fields are required: [ErrorEquals]. {what.capitalize()} {i} of {c.label} must "
                             "list the errors it handles, e.g. [\"States.ALL\"].")
        return
    errors = item["ErrorEquals"]
    here = pointer(ptr, "ErrorEquals")
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        c.report.schema(here, f"'ErrorEquals' of {what} {i} in {c.label} must be a non-empty array of error names, "
                              f"not {show(errors)}.")
        return
    if "States.ALL" in errors:
        if len(errors) > 1:
            c.report.schema(here, f"In {what} {i} of {c.label}, 'States.ALL' must appear alone in 'ErrorEquals': it "
                                  "already matches every error. Remove the other names or move them to their own "
                                  f"{what}.")
        if not last:
            c.report.schema(here, f"The {what} with 'States.ALL' must be the last one in '{key}' of {c.label}: "
                                  f"{what}s after it could never match. Move it to the end.")


def check_retry(c) -> None:
    for i, here, retrier in _handlers(c, "Retry"):
        for key, value in retrier.items():
            where = f"retrier {i} of {c.label}"
            if key not in _RETRIER_FIELDS:
                c.report.schema(here, f"Field '{key}' is not supported in {where}.")
            elif key in ("IntervalSeconds", "MaxAttempts", "MaxDelaySeconds"):
                low = 0 if key == "MaxAttempts" else 1
                high = MAX_DELAY_SECONDS if key == "MaxDelaySeconds" else MAX_SECONDS
                if not _plain_int(value):
                    c.report.schema(pointer(here, key), f"'{key}' of {where} must be an integer, not {kind(value)} "
                                                        f"({show(value)}).")
                elif not low <= value <= high:
                    c.report.schema(pointer(here, key), f"'{key}' of {where} must be between {low} and {high}, "
                                                        f"not {show(value)}.")
            elif key == "BackoffRate":
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    c.report.schema(pointer(here, key), f"'BackoffRate' of {where} must be a number, not {kind(value)}.")
                elif not value >= 1.0 or (isinstance(value, float) and math.isinf(value)):
                    c.report.schema(pointer(here, key), f"'BackoffRate' of {where} must be a number of at least 1.0, "
                                                        f"not {show(value)}.")
            elif key == "JitterStrategy" and value not in ("FULL", "NONE"):
                c.report.schema(pointer(here, key), f"'JitterStrategy' of {where} must be FULL or NONE, not {show(value)}.")
            elif key == "Comment" and not isinstance(value, str):
                c.report.schema(pointer(here, key), f"'Comment' of {where} must be a string.")


def check_catch(c) -> list:
    targets = []
    mine = JSONATA if c.jsonata else JSONPATH
    for i, here, catcher in _handlers(c, "Catch"):
        where = f"catcher {i} of {c.label}"
        for key, value in catcher.items():
            if key not in _CATCHER_FIELDS:
                c.report.schema(here, f"Field '{key}' is not supported in {where}.")
            elif key == "ResultPath" and c.jsonata or key == "Output" and not c.jsonata:
                owner = JSONPATH if key == "ResultPath" else JSONATA
                c.report.schema(here, f"The QueryLanguage is set to '{mine}', but field '{key}' is only supported for "
                                      f"the '{owner}' QueryLanguage ({where}).")
            elif key == "ResultPath" and value is not None:
                why = path_error(value, reference=True)
                if why:
                    c.report.schema(pointer(here, key), f"The value for the field 'ResultPath' must be a valid "
                                                        f"ReferencePath ({where}): {why}.")
            elif key == "Output":
                check_jsonata_value(c.report, pointer(here, key), value, c.name, "Catch Output", error_output_ok=True)
            elif key == "Assign":
                check_assign(c.report, pointer(here, key), value, c.name, c.jsonata, where="Catch Assign",
                             error_output_ok=True)
            elif key == "Comment" and not isinstance(value, str):
                c.report.schema(pointer(here, key), f"'Comment' of {where} must be a string.")
        nxt = catcher.get("Next")
        if "Next" not in catcher:
            c.report.schema(here, f"These fields are required: [Next]. {where.capitalize()} must name the state to go "
                                  "to when it catches an error.")
        elif not isinstance(nxt, str) or not nxt:
            c.report.schema(pointer(here, "Next"), f"'Next' of {where} must be a state name, not {show(nxt)}.")
        else:
            targets.append((pointer(here, "Next"), nxt))
    return targets
