"""Amazon Resource Names as Statelight issues them: the region of the request (default
us-east-1) and the account id of the owner (designer/accounts.py: names are per account)."""
from __future__ import annotations

import re

DEFAULT_REGION = "us-east-1"
NAME = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|express|activity|mapRun):(?P<rest>.+)$"
)


def arn(kind: str, region: str, *parts: str, account: str) -> str:
    return f"arn:aws:states:{region}:{account}:{kind}:{':'.join(parts)}"


def account_of(value: str) -> str:
    """The account id in an ARN ('' when it has none)."""
    parts = value.split(":")
    return parts[4] if len(parts) > 4 else ""


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
