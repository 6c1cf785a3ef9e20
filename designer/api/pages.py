"""The access keys page: list, create and revoke your own API keys."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from designer.models import AccessKey

from . import keys


def _get_key_for_user(request, key_id: int) -> AccessKey:
    # only your own keys, staff included: a key acts as its user
    return get_object_or_404(AccessKey, pk=key_id, user=request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def access_keys(request):
    created = None
    if request.method == "POST":
        key, secret = keys.issue(request.user, request.POST.get("description", "").strip())
        # shown on this response only: the page is never cached and the
        # secret is not kept anywhere in plain text
        created = {"key": key, "secret": secret}
    context = {
        "keys": request.user.access_keys.all(),
        "created": created,
        "endpoint": request.build_absolute_uri("/"),
    }
    response = render(request, "designer/access_keys.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_access_key(request, key_id: int):
    keys.revoke(_get_key_for_user(request, key_id))
    return HttpResponseRedirect(reverse("access-keys"))
