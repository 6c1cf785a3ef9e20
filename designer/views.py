"""The site's own views: `/` and the health check."""
from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from designer.api import protocol
from designer.editor.views import machine_list
from designer.health import runtime_health


@csrf_exempt  # the AWS API signs its requests (SigV4); a page's form never posts to `/`
async def root(request):
    """`/`: a POST is an AWS API call (designer/api), anything else the home page, the user's state machines."""
    if request.method == "POST":
        return await protocol.api(request)
    return await sync_to_async(machine_list)(request)


@require_safe
def healthz(request):
    """Without login, for monitors: the web server answers (always 200: a load balancer must not take
    it out because workers are down); `runtime` is "ok" (a runtime is alive), "none" (none is, and
    nothing waits) or "waiting-for-worker" (none is, and executions wait)."""
    health = runtime_health()
    runtime = "ok" if health.runtimes else "waiting-for-worker" if health.stalled else "none"
    return JsonResponse({"status": "ok", "runtime": runtime,
                         "runtimes": health.runtimes, "waitingExecutions": health.waiting,
                         "message": health.message()})
