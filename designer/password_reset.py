"""Asking for a password reset, without telling who has an account.

The answer to a reset request must not depend on whether the address belongs to someone: not in
what it says (always "if an account has that address, a mail is on its way"), and not in how long
it takes. Looking the address up, making the link and talking to the mail server take time only
for a known address, so none of that happens while the request waits: the request checks the
form, queues the address and answers; the mail thread does the rest (send_later).

Requests are throttled per client address and per email address, the same for known and unknown
ones (a fixed window in the cache: settings.CACHES).
"""
from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django import db
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.urls import get_script_prefix, set_script_prefix

from designer.logins import TOO_MANY_REQUESTS, client_address

log = logging.getLogger(__name__)

# (what is counted, most requests per window, window in seconds)
PER_CLIENT = ("password-reset:client", 10, 3600)
PER_EMAIL = ("password-reset:email", 3, 3600)
THROTTLED = "Too many password reset requests from this address or for this email address. Try again in an hour."

_mail_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="statelight-mail")


def send_later(function, *args) -> Future:
    """Run function(*args) on the mail thread, one at a time, after the request has its answer."""
    return _mail_thread.submit(_in_background, function, *args)


def _in_background(function, *args):
    try:
        function(*args)
    except Exception:
        log.exception("a password reset mail could not be sent")
    finally:
        db.connection.close()  # this thread's own connection; the next job opens a fresh one


def send_reset_mail(email: str, domain: str, use_https: bool, script_prefix: str):
    """Django's reset mail, to each active user with a usable password and this address (if any)."""
    set_script_prefix(script_prefix)  # the link's path, as the request saw it (STATELIGHT_PATH_PREFIX)
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


def within_limit(counted: tuple, key: str) -> bool:
    """Count one request for `key`; False once more than the limit came in this window."""
    name, limit, seconds = counted
    window = int(time.time() // seconds)
    counter = f"throttle:{name}:{window}:{hashlib.sha256(key.encode()).hexdigest()}"
    cache.add(counter, 0, timeout=seconds)
    try:
        count = cache.incr(counter)  # atomic in Redis and in one process's memory
    except ValueError:  # the counter expired between add and incr: a new window's first request
        count = 1
    return count <= limit


class RequestPasswordReset(PasswordResetView):
    """/accounts/password_reset/: Django's form and pages, the mail sent later, throttled."""

    def post(self, request, *args, **kwargs):
        if not within_limit(PER_CLIENT, client_address(request) or ""):
            return self.throttled(self.get_form())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not within_limit(PER_EMAIL, email.casefold()):
            return self.throttled(form)
        send_later(send_reset_mail, email, self.request.get_host(), self.request.is_secure(), get_script_prefix())
        return HttpResponseRedirect(self.get_success_url())

    def throttled(self, form):
        form.is_valid()
        form.add_error(None, THROTTLED)
        return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY_REQUESTS)
