"""The site's own views: `/` and the health check."""
from asgiref.sync import sync_to_async
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from designer.api import protocol
from designer.editor.views import machine_list


@csrf_exempt  # the AWS API signs its requests (SigV4); a page's form never posts to `/`
async def root(request):
    """`/`: a POST is an AWS API call (designer/api), anything else the home page, the user's state machines."""
    if request.method == "POST":
        return await protocol.api(request)
    return await sync_to_async(machine_list)(request)


@require_safe
def healthz(request):
    return HttpResponse("OK\n", content_type="text/plain")
