"""Tags on state machines and activities."""
from __future__ import annotations

from django.db import transaction

from designer.access import activities_for, machines_for, one
from designer.models import Activity, StateMachine

from .errors import ApiError
from .lookups import qualifier
from .registry import operation
from .shapes import tag_list

MAX_TAGS = 50


def _resource(call, *, for_update=False) -> StateMachine | Activity:
    arn, parsed = call.params.arn("resourceArn", kinds=("stateMachine", "activity"))
    if parsed["kind"] == "stateMachine" and qualifier(parsed) is None:
        qs = machines_for(call.user)
    elif parsed["kind"] == "activity":
        qs = activities_for(call.user)
    else:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (tags belong to state machines and activities)")
    if for_update:
        qs = qs.select_for_update()
    resource = one(qs.filter(arn=arn))
    if resource is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'", resourceName=arn)
    return resource


@operation("TagResource")
def tag_resource(call):
    tags = call.params.tags(required=True)
    with transaction.atomic():
        resource = _resource(call, for_update=True)
        merged = {**resource.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise ApiError("TooManyTags", f"Too many tags: a resource has at most {MAX_TAGS}",
                           resourceName=resource.arn)
        resource.tags = merged
        resource.save(update_fields=["tags"])
    return {}


@operation("UntagResource")
def untag_resource(call):
    keys = call.params.strings("tagKeys", required=True)
    with transaction.atomic():
        resource = _resource(call, for_update=True)
        resource.tags = {k: v for k, v in resource.tags.items() if k not in keys}
        resource.save(update_fields=["tags"])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(call):
    return {"tags": tag_list(_resource(call).tags)}
