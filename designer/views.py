"""The site's own views: `/` and the health check."""
import logging

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from designer.api import protocol
from designer.editor.views import machine_list
from designer.health import runtime_health

log = logging.getLogger(__name__)


@csrf_exempt  # the AWS API signs its requests (SigV4); a page's form never posts to `/`
async def root(request):
    """`/`: a POST is an AWS API call (designer/api), anything else the home page, the user's state machines."""
    if request.method == "POST":
        return await protocol.api(request)
    return await sync_to_async(machine_list)(request)


@require_safe
def healthz(request):
    """Without login, for monitors: the web server answers, always with 200 (a load balancer must not
    take it out because workers are down), and says whether executions wait for a worker."""
    try:
        runtime = runtime_health().to_dict()
    except DatabaseError:
        log.warning("/healthz could not read the database", exc_info=True)
        runtime = {"runtime": "unknown", "message": "The database cannot be read: whether a runtime runs is unknown."}
    return JsonResponse({"status": "ok", **runtime})
