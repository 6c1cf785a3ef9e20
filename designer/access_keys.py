"""API access keys (Signature Version 4, designer/api/sigv4.py): issued and revoked here, on
the Access keys page (/keys/) and by `manage.py create_access_key`. A secret is shown once and
stored encrypted (designer/crypto.py)."""
from __future__ import annotations

import secrets
import string

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from designer import access, accounts, crypto
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


# --- the page ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def access_keys(request):
    created = None
    if request.method == "POST":
        key, secret = issue(request.user, request.POST.get("description", "").strip())
        # shown on this response only: the page is never cached and the
        # secret is not kept anywhere in plain text
        created = {"key": key, "secret": secret}
    context = {
        "keys": access.access_keys_for(request.user),
        "account_id": accounts.account_id(request.user),
        "created": created,
        "endpoint": request.build_absolute_uri("/"),
    }
    response = render(request, "access_keys.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_access_key(request, key_id: int):
    revoke(access.get_access_key_for_user(request.user, pk=key_id))
    return HttpResponseRedirect(reverse("access-keys"))
