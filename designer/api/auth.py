"""Who sent an API request: the access key of its Signature Version 4, and its region."""
from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone as dt_timezone

from django.utils import timezone

from designer import arns
from designer.models import AccessKey

from . import sigv4
from .errors import ApiError

# last_used_at is shown on the keys page; writing it on every call would add
# a database write to each request, so it is refreshed at most this often
LAST_USED_RESOLUTION = timedelta(minutes=1)


def signed_request(request, body: bytes) -> sigv4.SignedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    # the host the client addressed: X-Forwarded-Host only when Django
    # trusts the proxy (USE_X_FORWARDED_HOST), else the Host header
    headers["host"] = request.get_host()
    return sigv4.SignedRequest(method=request.method, path=request.path,
                               query_string=request.META.get("QUERY_STRING", ""), headers=headers, body=body)


def authenticate(signed: sigv4.SignedRequest):
    """(user, region, access key id) of a correctly signed request; an ApiError otherwise."""
    credential = sigv4.parse(signed, datetime.now(dt_timezone.utc))
    key = (AccessKey.objects.select_related("user")
           .filter(access_key_id=credential.access_key_id, revoked_at__isnull=True, user__is_active=True).first())
    if key is None:
        raise ApiError("UnrecognizedClientException", sigv4.UNKNOWN_KEY)
    secret = _secret(key.access_key_id, key.encrypted_secret)
    if secret is None:  # encrypted under another SECRET_KEY: unusable
        raise ApiError("UnrecognizedClientException", sigv4.UNKNOWN_KEY)
    sigv4.verify(signed, credential, secret)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user, credential.region or arns.DEFAULT_REGION, key.access_key_id


@functools.lru_cache(maxsize=256)
def _secret(access_key_id: str, encrypted_secret: str) -> str | None:
    # keyed by the ciphertext too, so a changed key is never served stale;
    # revocation is checked on the row above, before this is reached
    from designer import crypto

    return crypto.decrypt(encrypted_secret)
