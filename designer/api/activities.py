"""Activities, and the answers to waiting tasks: activity workers
(GetActivityTask, then SendTask*) and .waitForTaskToken callbacks (SendTask*)."""
from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from designer import accounts, arns, runtime
from designer.access import activities_for, sees
from designer.models import Activity

from . import pagination
from .errors import ApiError
from .lookups import check_task_token, get_activity
from .registry import operation
from .shapes import compact, encryption, timestamp

MAX_TAGS = 50
# AWS holds a GetActivityTask open up to 60 seconds; the CLI and boto3 read
# for 60 s by default, so clients need a longer read timeout (README).
# STATELIGHT_ACTIVITY_POLL_SECONDS shortens it (tests).
LONG_POLL_SECONDS = 60


def describe(activity: Activity) -> dict:
    return {"activityArn": activity.arn, "name": activity.name, "creationDate": timestamp(activity.created_at),
            "encryptionConfiguration": encryption()}


@operation("CreateActivity")
def create_activity(call):
    p = call.params
    name = p.name()
    tags = p.tags() or {}
    if p.structure("encryptionConfiguration") not in (None, {"type": "AWS_OWNED_KEY"}):
        raise ApiError("InvalidEncryptionConfiguration", "Only type AWS_OWNED_KEY is accepted")
    if len(tags) > MAX_TAGS:
        raise ApiError("TooManyTags", f"Too many tags: at most {MAX_TAGS}", resourceName=name)
    arn = arns.arn("activity", call.region, name, account=accounts.account_id(call.user))
    try:
        with transaction.atomic():
            activity = Activity.objects.filter(arn=arn).first()
            if activity is None:
                activity = Activity.objects.create(arn=arn, name=name, region=call.region, owner=call.user, tags=tags)
            elif not sees(call.user, activity.owner_id) or (tags and tags != activity.tags):
                # creating is idempotent by name; other tags (or someone else's activity) conflict
                raise ApiError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'")
    except IntegrityError:
        raise ApiError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'") from None
    return {"activityArn": activity.arn, "creationDate": timestamp(activity.created_at)}


@operation("DescribeActivity")
def describe_activity(call):
    arn, _ = call.params.arn("activityArn", kinds=("activity",))
    return describe(get_activity(call.user, arn))


@operation("DeleteActivity")
def delete_activity(call):
    arn, _ = call.params.arn("activityArn", kinds=("activity",))
    activities_for(call.user).filter(arn=arn).delete()  # idempotent, as on AWS
    return {}


@operation("ListActivities")
def list_activities(call):
    qs = activities_for(call.user).filter(region=call.region)
    rows, token = pagination.page(qs, call.params, call.operation, ["name", "id"], query=[call.region])
    items = [{"activityArn": a.arn, "name": a.name, "creationDate": timestamp(a.created_at)} for a in rows]
    return compact({"activities": items, "nextToken": token})


def activity_for_poll(call) -> tuple[Activity, str]:
    """GetActivityTask's synchronous part: the activity the caller may poll, and the worker name."""
    p = call.params
    arn, _ = p.arn("activityArn", kinds=("activity",))
    worker_name = p.string("workerName", min_length=1, max_length=80) or ""
    return get_activity(call.user, arn), worker_name


@operation("GetActivityTask", is_async=True, prepare=activity_for_poll)
async def get_activity_task(call, activity: Activity, worker_name: str):
    timeout = getattr(settings, "STATELIGHT_ACTIVITY_POLL_SECONDS", LONG_POLL_SECONDS)
    task = await runtime.get_activity_task(activity, worker_name=worker_name, timeout=timeout)
    if task is None:
        return {}  # nothing to do within the poll: AWS answers without a token
    token, input_text = task
    return {"taskToken": token, "input": input_text}


def _answer(call, action: str, **kwargs):
    token = call.params.string("taskToken", required=True, min_length=1, max_length=2048, malformed="InvalidToken")
    check_task_token(call.user, token)
    # the runtime checks the rest (unknown, malformed, answered, timed out)
    # and raises errors named after AWS's
    getattr(runtime, action)(token, **kwargs)
    return {}


@operation("SendTaskSuccess")
def send_task_success(call):
    # the runtime checks the output (InvalidOutput), whoever answers
    output = call.params.string("output", required=True, malformed="InvalidOutput")
    return _answer(call, "send_task_success", output_text=output)


@operation("SendTaskFailure")
def send_task_failure(call):
    p = call.params
    error = p.string("error", max_length=256)
    cause = p.string("cause", max_length=32768)
    return _answer(call, "send_task_failure", error=error, cause=cause)


@operation("SendTaskHeartbeat")
def send_task_heartbeat(call):
    return _answer(call, "send_task_heartbeat")
