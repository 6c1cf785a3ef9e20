"""Issuing and revoking API access keys (shown once, stored encrypted)."""
from __future__ import annotations

import secrets
import string

from django.db import IntegrityError
from django.utils import timezone

from designer import crypto
from designer.models import AccessKey

_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_access_key_id() -> str:
    # like AWS's long-term keys: AKIA and 16 upper-case letters and digits
    return "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def new_secret() -> str:
    # 40 characters of AWS's secret alphabet: about 238 random bits
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def issue(user, description: str = "") -> tuple[AccessKey, str]:
    """A new key for `user` and its secret, which is never shown again."""
    secret = new_secret()
    for _ in range(5):
        try:
            key = AccessKey.objects.create(user=user, access_key_id=new_access_key_id(),
                                           encrypted_secret=crypto.encrypt(secret), description=description[:128])
            return key, secret
        except IntegrityError:  # an id collision (1 in 36^16): draw again
            continue
    raise RuntimeError("could not draw a unique access key id")


def revoke(key: AccessKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
