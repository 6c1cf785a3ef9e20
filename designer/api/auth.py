"""Who sent an API request: the access key of its Signature Version 4, and its region."""
from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone as dt_timezone

from django.contrib.auth import get_user_model
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.utils import timezone

from designer import arns, crypto
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
    try:
        headers["host"] = request.get_host()
    except DisallowedHost:
        raise ApiError("ValidationException", "The Host header names a host this server does not serve: add it to "
                                              "DJANGO_ALLOWED_HOSTS") from None
    return sigv4.SignedRequest(method=request.method, path=_public_path(request),
                               query_string=request.META.get("QUERY_STRING", ""), headers=headers, body=body)


def _public_path(request) -> str:
    """The path the client called, with the prefix a proxy took off (FORCE_SCRIPT_NAME,
    or the ASGI server's root path). WSGI's request.path has it already; under
    ASGI it depends on whether the server puts the root path into the path."""
    prefix = (request.META.get("SCRIPT_NAME") or "").rstrip("/")
    path = request.path
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        path = prefix + path
    return path


def authenticate(signed: sigv4.SignedRequest):
    """(user, region, access key id) of a correctly signed request; an ApiError otherwise."""
    credential = sigv4.parse(signed, datetime.now(dt_timezone.utc))
    key = _active_key(credential.access_key_id)
    if key is None:
        raise ApiError("UnrecognizedClientException", sigv4.UNKNOWN_KEY)
    key_pk, encrypted_secret, last_used_at, user = key
    secret = _secret(credential.access_key_id, encrypted_secret)
    if secret is None:  # encrypted under another SECRET_KEY: unusable
        raise ApiError("UnrecognizedClientException", sigv4.UNKNOWN_KEY)
    sigv4.verify(signed, credential, secret)
    now = timezone.now()
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        AccessKey.objects.filter(pk=key_pk).update(last_used_at=now)
    return user, credential.region or arns.DEFAULT_REGION, credential.access_key_id


# The fields of the user an API call needs (ownership, staff); the others load
# if something reads them (Model.from_db defers them).
_USER_FIELDS = ("id", "username", "is_active", "is_staff", "is_superuser")


def _active_key(access_key_id: str):
    """(key pk, encrypted secret, last used, user) of a usable key, in one query.

    Every API call runs it, so it is plain SQL: the ORM's query compilation
    costs more than the query (revocation and deactivation still count at once)."""
    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(_active_key_sql(connection.vendor), [access_key_id, True])
        row = cursor.fetchone()
    if row is None:
        return None
    last_used_at = AccessKey._meta.get_field("last_used_at").to_python(row[2]) if row[2] is not None else None
    if isinstance(last_used_at, datetime) and timezone.is_naive(last_used_at):
        last_used_at = timezone.make_aware(last_used_at, dt_timezone.utc)
    user = User.from_db(connection.alias, [field.attname for field in _user_fields()], list(row[3:]))
    return row[0], row[1], last_used_at, user


@functools.cache
def _user_fields() -> list:
    # in the model's own order: Model.from_db reads the values in that order, whatever the names say
    return [field for field in get_user_model()._meta.concrete_fields if field.attname in _USER_FIELDS]


@functools.lru_cache(maxsize=4)
def _active_key_sql(vendor: str) -> str:
    """The statement of _active_key(), built once per database vendor."""
    User = get_user_model()
    keys, users = AccessKey._meta.db_table, User._meta.db_table
    q = connection.ops.quote_name
    columns = ", ".join(f"u.{q(field.column)}" for field in _user_fields())
    return (f"SELECT k.{q('id')}, k.{q('encrypted_secret')}, k.{q('last_used_at')}, {columns} "
            f"FROM {q(keys)} k JOIN {q(users)} u ON u.{q(User._meta.pk.column)} = k.{q('user_id')} "
            f"WHERE k.{q('access_key_id')} = %s AND k.{q('revoked_at')} IS NULL AND u.{q('is_active')} = %s")


@functools.lru_cache(maxsize=256)
def _secret(access_key_id: str, encrypted_secret: str) -> str | None:
    # keyed by the ciphertext too, so a changed key is never served stale;
    # revocation is checked on the row above, before this is reached
    return crypto.decrypt(encrypted_secret)
