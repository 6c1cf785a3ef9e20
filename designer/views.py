from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from designer.examples import load_examples


# GET only: POST / is kept for the AWS-protocol API, which a later change
# dispatches here (CSRF-exempt, never redirected to the login page).
@require_safe
@login_required
def home(request):
    examples = load_examples(settings.STATELIGHT_EXAMPLES_DIR)
    return render(request, "designer/home.html", {"examples": examples})


@require_safe
def healthz(request):
    return HttpResponse("OK\n", content_type="text/plain")
