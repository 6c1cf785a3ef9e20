from django.http import HttpResponse
from django.views.decorators.http import require_safe

from designer import editor


# GET only: POST / is the AWS-protocol API (designer/api dispatches here).
# The home page is the user's state machines (designer/editor.py).
def home(request):
    return editor.machine_list(request)


@require_safe
def healthz(request):
    return HttpResponse("OK\n", content_type="text/plain")
