"""Logging in: who the client is, and what a locked-out login sees.

django-axes counts failed logins on the login page and the admin's (settings: AXES_*) and locks
out a user name, and a client address, after too many; these are the two hooks it calls.
The AWS API signs its requests with access keys and never logs in: it is not throttled here.
"""
from __future__ import annotations

import copy

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse

TOO_MANY_REQUESTS = 429


def client_address(request) -> str | None:
    """The client's IP address: the connection's, or behind the trusted proxy the last
    X-Forwarded-For entry (the one that proxy added; those before it are the client's own say)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.STATELIGHT_TRUSTED_PROXY and forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"Too many failed logins for this user or from this address: logging in is locked for "
            f"{minutes} minutes after the last failed attempt. Try again later, or ask an administrator.")


def locked_out(request, original_response=None, credentials=None):
    """axes' AXES_LOCKOUT_CALLABLE: the login page that was used (the site's or the admin's, in its
    own look) as a visit shows it, saying why, with status 429.

    The page is the login view's answer to a GET: the refused POST's answer says "wrong password",
    a lie since the password was never checked, and under ASGI axes does not pass it on anyway
    (django-axes 8.3, jazzband/django-axes pull request 1494)."""
    match = request.resolver_match
    visit = copy.copy(request)
    visit.method, visit.POST = "GET", QueryDict()
    page = match.func(visit, *match.args, **match.kwargs) if match else None
    form = (getattr(page, "context_data", None) or {}).get("form")
    if not isinstance(page, TemplateResponse) or form is None:
        return HttpResponse(lockout_message(), status=TOO_MANY_REQUESTS, content_type="text/plain; charset=utf-8")
    form._errors = ErrorDict({"__all__": form.error_class([lockout_message()])})
    page.status_code = TOO_MANY_REQUESTS
    return page.render()
