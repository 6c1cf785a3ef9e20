"""`maxResults` / `nextToken` paging, by position in a stable order (keyset).

A token names the last item of the page it ends (its sort key), so rows
added or removed meanwhile never shift the next page. Tokens are signed
(Django's signing, salted per operation) so a client can neither forge nor
edit one; they name the query they belong to and expire after 24 hours,
like AWS's (InvalidToken otherwise).
"""
from __future__ import annotations

import hashlib
import json

from django.core import signing
from django.db.models import Q

from .errors import ApiError

DEFAULT_PAGE = 100
MAX_PAGE = 1000
MAX_AGE = 24 * 60 * 60


def page(queryset, params, operation: str, order: list[str], *, query=None, default=DEFAULT_PAGE):
    """(rows, next_token or None). `order`: model fields, '-' for descending,
    ending with a unique one. `query`: what else selects the rows (a token
    made for another query is refused)."""
    limit = params.integer("maxResults", minimum=0, maximum=MAX_PAGE, default=0) or default
    token = params.string("nextToken", min_length=1, max_length=3096, malformed="InvalidToken")
    fingerprint = _fingerprint(query)
    queryset = queryset.order_by(*order)
    if token is not None:
        queryset = queryset.filter(_after(order, _read(token, operation, fingerprint)))
    rows = list(queryset[:limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    key = [_value(getattr(last, field.lstrip("-"))) for field in order]
    return rows, signing.TimestampSigner(salt=_salt(operation)).sign_object({"k": key, "q": fingerprint})


def _after(order, key) -> Q:
    # (a, b, c) > (ka, kb, kc) in the order's directions:
    # a > ka  OR  (a = ka AND b > kb)  OR  (a = ka AND b = kb AND c > kc)
    condition = Q(pk__in=[])
    equal = Q()
    for field, value in zip(order, key):
        name = field.lstrip("-")
        beyond = "lt" if field.startswith("-") else "gt"
        condition |= equal & Q(**{f"{name}__{beyond}": value})
        equal &= Q(**{name: value})
    return condition


def _read(token: str, operation: str, fingerprint: str) -> list:
    try:
        data = signing.TimestampSigner(salt=_salt(operation)).unsign_object(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ApiError("InvalidToken", "The nextToken has expired (tokens last 24 hours).") from None
    except (signing.BadSignature, ValueError):
        raise ApiError("InvalidToken", f"Invalid token: the nextToken was not issued by {operation}.") from None
    if not isinstance(data, dict) or data.get("q") != fingerprint or not isinstance(data.get("k"), list):
        raise ApiError("InvalidToken", "Invalid token: the nextToken belongs to a request with other parameters.")
    return data["k"]


def _value(value):
    # what a token carries: JSON-friendly, and exact for datetimes
    return value.isoformat() if hasattr(value, "isoformat") else value


def _salt(operation: str) -> str:
    return f"statelight.api.nextToken.{operation}"


def _fingerprint(query) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:16]
