"""Answers from outside: SendTaskSuccess/Failure/Heartbeat and GetActivityTask.

A task token (TaskToken row) is created in the same transaction as the step
that scheduled its task: a `.waitForTaskToken` callback (the engine's token,
>= 128 random bits), an activity task (a fresh token, handed to one
GetActivityTask poller), or an approval. A token answers once: the answer
closes it with a conditional UPDATE and, in the same transaction, puts the
answer in the execution's inbox. A token whose task timed out, was
cancelled or was answered already gives TaskTimedOut, as on AWS.

SendTask* answer callbacks and activity tasks (SDK_KINDS). An approval is decided only through
its own decision, by an approver, with its audit record (designer/approvals/decision.py, which
passes its own `kinds`): to SendTask* its token is a token with no task behind it, answered
TaskDoesNotExist exactly as an unknown token or another user's (AWS: "InvalidToken: The provided
token is not valid" is for a token it cannot read; "TaskDoesNotExist" for one whose task it does
not have, https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
"""
from __future__ import annotations

import asyncio
import re

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from designer.models import InboxItem, TaskToken
from engine.serialize import InvalidPayload, read_payload

from . import errors, signals

# How often a long poll re-reads the database for tasks stored by other processes.
POLL_SECONDS = 0.5
_TOKEN = re.compile(r"^[A-Za-z0-9_\-=.+/]{16,1024}$")


SDK_KINDS = (TaskToken.CALLBACK, TaskToken.ACTIVITY)


def send_task_success(token: str, output_text: str, *, kinds=SDK_KINDS):
    try:
        output = read_payload(output_text, error="InvalidOutput", what="The output")
    except InvalidPayload as e:
        raise errors.InvalidOutput(f"Invalid Output: {e}") from None
    _answer(token, kinds, InboxItem.COMPLETE, result=output)


def send_task_failure(token: str, error: str | None = None, cause: str | None = None, *, kinds=SDK_KINDS):
    if error is not None and len(error) > 256:
        raise errors.InvalidRequest("error must be at most 256 characters")
    if cause is not None and len(cause) > 32768:
        raise errors.InvalidRequest("cause must be at most 32768 characters")
    _answer(token, kinds, InboxItem.FAIL, error=error, cause=cause)


def send_task_heartbeat(token: str):
    with transaction.atomic():
        record = _open_token(token, SDK_KINDS)
        InboxItem.objects.create(execution_id=record["execution_id"], kind=InboxItem.HEARTBEAT,
                                 effect_id=record["effect_id"])
        transaction.on_commit(signals.work_available)


def _answer(token, kinds, kind, **answer):
    with transaction.atomic():
        record = _open_token(token, kinds)
        closed = TaskToken.objects.filter(pk=record["pk"], answered_at=None).update(answered_at=timezone.now())
        if not closed:  # answered concurrently
            raise _timed_out()
        InboxItem.objects.create(execution_id=record["execution_id"], kind=kind, effect_id=record["effect_id"],
                                 **answer)
        transaction.on_commit(signals.work_available)


def _open_token(token, kinds) -> dict:
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise errors.InvalidToken("Invalid Token: 'Invalid token'")
    record = TaskToken.objects.filter(token=token, kind__in=kinds).values(
        "pk", "execution_id", "effect_id", "answered_at").first()
    if record is None:
        raise errors.TaskDoesNotExist("Task does not exist: 'Provided task does not exist'")
    if record["answered_at"] is not None:
        raise _timed_out()
    return record


def _timed_out():
    return errors.TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")


# --- activities ---------------------------------------------------------------

async def get_activity_task(activity, worker_name: str = "", timeout: float = 60.0):
    """GetActivityTask: (token, input text) of the oldest task of the activity not yet handed out,
    waiting up to `timeout` seconds for one; None when none came. Each task goes to exactly one
    poller. Async: a 60 s poll must not hold one of the server's threads."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    entry = signals.add_activity_waiter(activity.pk)
    claim = sync_to_async(_claim_with_fresh_connection, thread_sensitive=False)
    try:
        while True:
            entry[1].clear()
            task = await claim(activity.pk, worker_name)
            if task is not None:
                return task
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(entry[1].wait(), min(remaining, POLL_SECONDS))
            except TimeoutError:
                pass
    finally:
        signals.remove_activity_waiter(activity.pk, entry)


def _claim_with_fresh_connection(activity_id, worker_name):
    close_old_connections()
    try:
        return claim_activity_task(activity_id, worker_name)
    finally:
        close_old_connections()


def claim_activity_task(activity_id: int, worker_name: str = ""):
    """Hand the oldest waiting task of the activity to this worker: (token, input) or None."""
    waiting = TaskToken.objects.filter(activity_id=activity_id, kind=TaskToken.ACTIVITY, started_at=None,
                                       answered_at=None).order_by("id")
    fields = ("pk", "token", "input", "execution_id", "effect_id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            task = waiting.select_for_update(skip_locked=True).values(*fields).first()
            if task is None:
                return None
            TaskToken.objects.filter(pk=task["pk"]).update(started_at=timezone.now(), worker_name=worker_name[:80])
            _started(task, worker_name)
            return task["token"], task["input"]
    for _ in range(20):
        task = waiting.values(*fields).first()
        if task is None:
            return None
        with transaction.atomic():
            taken = TaskToken.objects.filter(pk=task["pk"], started_at=None, answered_at=None).update(
                started_at=timezone.now(), worker_name=worker_name[:80])
            if taken:
                _started(task, worker_name)
                return task["token"], task["input"]
    return None


def _started(task, worker_name):
    """Tell the execution its activity task started: AWS's ActivityStarted event, with the worker's name."""
    InboxItem.objects.create(execution_id=task["execution_id"], kind=InboxItem.STARTED, effect_id=task["effect_id"],
                             result={"workerName": worker_name})
    transaction.on_commit(signals.work_available)
