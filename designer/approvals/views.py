"""The approval inbox (/approvals/) and the decide endpoint (/approvals/<id>/decide)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from designer.json_views import BadBody, read_body, wants_json

from .cards import inbox_context
from .decision import Refused, decide


@login_required
@require_safe
def inbox(request):
    return render(request, "approvals/inbox.html", inbox_context(request.user))


@require_POST
def decide_view(request, pk):
    """POST (CSRF-protected like any form): choice, comment, field:<name>... or the same as JSON."""
    as_json = wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse({"error": "Log in first."}, status=401)
        return HttpResponseRedirect(f"{reverse('login')}?next={reverse('approvals')}")
    try:
        choice, comment, form = _decision_of(request)
        result = decide(pk, request.user, choice, comment, form)
    except Refused as e:
        if e.status == 404 and not as_json:
            raise Http404(e.message) from None
        if as_json:
            return JsonResponse({"error": e.message}, status=e.status)
        return render(request, "approvals/inbox.html",
                      {**inbox_context(request.user), "error": e.message}, status=e.status)
    if as_json:
        return JsonResponse({"result": result})
    target = request.POST.get("next") or reverse("approvals")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("approvals")
    return HttpResponseRedirect(target)


def _decision_of(request) -> tuple[str, str, dict]:
    """(choice, comment, form values) of a decision posted as JSON ({"choice", "comment", "form"})
    or as a form (choice, comment, field:<name>). Refused(400) when it says no choice."""
    try:
        body = read_body(request)
    except BadBody as e:
        raise Refused(e.status, e.message) from None
    if request.content_type == "application/json":
        form = body.get("form") if isinstance(body.get("form"), dict) else {}
    else:
        form = {key[len("field:"):]: value for key, value in body.items() if key.startswith("field:")}
    choice, comment = body.get("choice"), body.get("comment", "")
    if not isinstance(choice, str) or not isinstance(comment, str):
        raise Refused(400, "Choose what to do.")
    return choice, comment, form
