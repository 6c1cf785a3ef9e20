"""{% runtime_banner %}: the page shell's warning when executions wait for a worker (designer/health.py)."""
from django import template

from designer import access
from designer.health import START_A_WORKER, lease_seconds, runtime_health

register = template.Library()


@register.inclusion_tag("runtime_banner.html", takes_context=True)
def runtime_banner(context):
    user = getattr(context.get("request"), "user", None)
    # only the executions this person may see are counted
    health = runtime_health(access.executions_for(user)) if user is not None and user.is_authenticated else None
    return {"health": health, "start": START_A_WORKER, "lease_seconds": lease_seconds()}
