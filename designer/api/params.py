"""Reading an operation's request members with their types and constraints.

boto3 and the CLI check types before sending, so a wrong type only comes
from hand-made requests; AWS answers those with a SerializationException
(a JSON value of the wrong kind) or a ValidationException (a value outside
its constraints), and so does Statelight. JSON null reads as absent.

A string holding a lone surrogate (JSON's "\\ud800": half a UTF-16 pair, which no UTF-8 text
and no database column can hold) is malformed: each reader answers it with the error AWS gives
for a malformed value of its kind (InvalidArn, InvalidName, InvalidToken, ...; the `malformed`
argument), ValidationException by default and inside structures and lists.
"""
from __future__ import annotations

from designer import arns, payloads

from .errors import ApiError, constraint, invalid_arn, invalid_name

_KINDS = {str: "a string", bool: "a boolean", int: "an integer", list: "a list", dict: "a structure"}


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    for python_type, name in _KINDS.items():
        if isinstance(value, python_type):
            return name
    return "null"


class Params:
    def __init__(self, data: dict):
        self.data = data

    def __contains__(self, name) -> bool:
        return self.data.get(name) is not None

    def _typed(self, name, python_type, required, malformed="ValidationException"):
        value = self.data.get(name)
        if value is None:
            if required:
                raise constraint(name, None, "Member must not be null")
            return None
        ok = isinstance(value, python_type) and not (python_type is int and isinstance(value, bool))
        if not ok:
            raise ApiError("SerializationException",
                           f"Member '{name}' must be {_KINDS[python_type]}, not {_kind_of(value)}")
        if python_type in (str, dict, list):
            found = payloads.surrogate_in(value)
            if found is not None:
                pointer, text, at = found
                raise ApiError(malformed, payloads.surrogate_message(f"Member '{name}{pointer}'", text, at))
        return value

    def string(self, name, *, required=False, min_length=0, max_length=None, choices=None, default=None,
               malformed="ValidationException"):
        value = self._typed(name, str, required, malformed)
        if value is None:
            return default
        if len(value) < min_length:
            raise constraint(name, value, f"Member must have length greater than or equal to {min_length}")
        if max_length is not None and len(value) > max_length:
            raise constraint(name, f"{value[:40]}..." if len(value) > 40 else value,
                             f"Member must have length less than or equal to {max_length}")
        if choices is not None and value not in choices:
            raise constraint(name, value, f"Member must satisfy enum value set: [{', '.join(choices)}]")
        return value

    def integer(self, name, *, required=False, minimum=None, maximum=None, default=None):
        value = self._typed(name, int, required)
        if value is None:
            return default
        if minimum is not None and value < minimum:
            raise constraint(name, value, f"Member must have value greater than or equal to {minimum}")
        if maximum is not None and value > maximum:
            raise constraint(name, value, f"Member must have value less than or equal to {maximum}")
        return value

    def boolean(self, name, *, default=None):
        value = self._typed(name, bool, False)
        return default if value is None else value

    def structure(self, name, *, required=False) -> dict | None:
        return self._typed(name, dict, required)

    def list(self, name, *, required=False) -> list | None:
        return self._typed(name, list, required)

    def name(self, member="name", *, required=True) -> str | None:
        value = self._typed(member, str, required, "InvalidName")
        if value is not None and not arns.is_valid_name(value):
            raise invalid_name(value)
        return value

    def arn(self, member, *, kinds=("stateMachine",), required=True, max_length=256) -> tuple[str, dict] | None:
        """(arn, parsed) for a Step Functions ARN of one of `kinds`; InvalidArn otherwise."""
        value = self._typed(member, str, required, "InvalidArn")
        if value is None:
            return None
        if not value or len(value) > max_length:
            raise constraint(member, value[:40], f"Member must have length between 1 and {max_length}")
        parsed = arns.parse(value)
        if parsed is None or parsed["kind"] not in kinds:
            raise invalid_arn(value, " or ".join(kinds) + " ARN")
        return value, parsed

    def tags(self, member="tags", *, required=False) -> dict | None:
        """A TagList ([{key, value}]) as a dict; later keys win, like repeated tags on AWS."""
        items = self.list(member, required=required)
        if items is None:
            return None
        tags = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise ApiError("SerializationException", f"Member '{member}[{index}]' must be a structure")
            key, value = item.get("key"), item.get("value", "")
            if not isinstance(key, str) or not isinstance(value, str):
                raise ApiError("SerializationException",
                               f"Members 'key' and 'value' of '{member}[{index}]' must be strings")
            if not 1 <= len(key) <= 128 or len(value) > 256:
                raise constraint(f"{member}.{index + 1}.member.key", key,
                                 "Tag keys have 1 to 128 characters, values at most 256")
            tags[key] = value
        return tags

    def strings(self, member, *, required=False) -> list[str] | None:
        items = self.list(member, required=required)
        if items is None:
            return None
        if not all(isinstance(item, str) for item in items):
            raise ApiError("SerializationException", f"Member '{member}' must be a list of strings")
        return items
