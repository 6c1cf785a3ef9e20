"""Amazon Resource Names as Statelight issues them: the region of the request
(default us-east-1) and the account id of STATELIGHT_ACCOUNT_ID."""
from __future__ import annotations

import re

from django.conf import settings

DEFAULT_REGION = "us-east-1"
NAME = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|express|activity|mapRun):(?P<rest>.+)$"
)


def account_id() -> str:
    return settings.STATELIGHT_ACCOUNT_ID


def arn(kind: str, region: str, *parts: str) -> str:
    return f"arn:aws:states:{region}:{account_id()}:{kind}:{':'.join(parts)}"


def parse(value) -> dict | None:
    """{"region", "account", "kind", "parts": [...]} for a Step Functions ARN, else None."""
    if not isinstance(value, str):
        return None
    match = _ARN.match(value)
    if match is None:
        return None
    return {"region": match["region"], "account": match["account"], "kind": match["kind"],
            "parts": match["rest"].split(":")}


def is_valid_name(name) -> bool:
    """AWS's rule for state machine, execution, activity and alias names (ASCII subset)."""
    return isinstance(name, str) and NAME.match(name) is not None
