"""The human-approval task resource: a Task whose Resource is `arn:aws:states:::statelight:approval`
opens an approval (a TaskToken of kind "approval") and waits for a person, like .waitForTaskToken.
Its Parameters become the request the approver sees (parse_request); the package docstring
lists them."""
from __future__ import annotations

import json
import re

from django.db import transaction

from designer import resources
from designer.models import TaskToken
from engine.tasks import new_task_token

from .notify import announce

APPROVAL_ARN = "arn:aws:states:::statelight:approval"
INVALID_ERROR = "Statelight.InvalidApprovalRequest"
RESULT_KEYS = ("Decision", "Comment", "DecidedBy", "DecidedAt")
DEFAULT_CHOICES = [{"name": "Approve", "rejects": False}, {"name": "Reject", "rejects": True}]
COMMENT_MODES = ("optional", "required", "none")
FIELD_TYPES = ("text", "textarea", "number", "boolean", "select")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_TEXT = 10_000


class InvalidRequest(ValueError):
    """The Parameters of an approval task say something we cannot ask."""


# --- the request: Parameters -> what the approver sees ----------------------------

def _strings(value, what) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidRequest(f"{what} must be a list of names")
    return list(value)


def _choices(value) -> list[dict]:
    if value is None:
        return [dict(c) for c in DEFAULT_CHOICES]
    if not isinstance(value, list) or not value or len(value) > 10:
        raise InvalidRequest("Choices must be a list of 1 to 10 choices")
    choices = []
    for item in value:
        if isinstance(item, str):
            name, rejects = item, item == "Reject"
        elif isinstance(item, dict) and isinstance(item.get("Name"), str):
            name, rejects = item["Name"], item.get("Rejects", item["Name"] == "Reject")
            if not isinstance(rejects, bool):
                raise InvalidRequest(f"Rejects of the choice {name!r} must be true or false")
        else:
            raise InvalidRequest("each choice is a name or {\"Name\": ..., \"Rejects\": true|false}")
        if not name.strip() or len(name) > 40:
            raise InvalidRequest("a choice's name has 1 to 40 characters")
        if any(c["name"] == name for c in choices):
            raise InvalidRequest(f"the choice {name!r} is given twice")
        choices.append({"name": name, "rejects": rejects})
    return choices


def _comment_mode(value) -> str:
    if value is None or value is True:
        return "optional"
    if value is False:
        return "none"
    if value not in COMMENT_MODES:
        raise InvalidRequest('Comment must be "optional", "required" or "none"')
    return value


def _form(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidRequest("Form must be a list of at most 20 fields")
    fields = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidRequest("each Form field is an object with a Name")
        name = item.get("Name")
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise InvalidRequest("a Form field's Name is a word of letters, digits and _ (up to 64)")
        if name in RESULT_KEYS or any(f["name"] == name for f in fields):
            raise InvalidRequest(f"the Form field name {name!r} is taken")
        kind = item.get("Type", "text")
        if kind not in FIELD_TYPES:
            raise InvalidRequest(f"the Form field {name!r} has an unknown Type (one of {', '.join(FIELD_TYPES)})")
        field = {"name": name, "label": str(item.get("Label") or name), "type": kind,
                 "required": item.get("Required") is True}
        if kind == "select":
            options = item.get("Options")
            if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
                raise InvalidRequest(f"the select field {name!r} needs Options: a list of strings")
            field["options"] = options
        if "Default" in item:
            field["default"] = item["Default"]
        fields.append(field)
    return fields


def _approvers(value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidRequest('Approvers must be {"Groups": [...], "Users": [...]}')
    groups, users = _strings(value.get("Groups"), "Approvers.Groups"), _strings(value.get("Users"), "Approvers.Users")
    if not groups and not users:
        return None
    return {"groups": groups, "users": users}


def parse_request(parameters, state_name: str) -> dict:
    """The approval request from a task's effective Parameters. Raises InvalidRequest."""
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise InvalidRequest("the Parameters of an approval must be an object")
    title = parameters.get("Title", state_name)
    description = parameters.get("Description", "")
    if not isinstance(title, str) or not isinstance(description, str):
        raise InvalidRequest("Title and Description must be strings")
    return {
        "title": title[:200] or state_name, "description": description[:MAX_TEXT],
        "data": parameters.get("Data"), "choices": _choices(parameters.get("Choices")),
        "comment": _comment_mode(parameters.get("Comment")), "form": _form(parameters.get("Form")),
        "approvers": _approvers(parameters.get("Approvers")),
    }


# --- the task resource ----------------------------------------------------------------

def perform(task: resources.TaskRequest) -> resources.Outcome:
    """Open an approval for this attempt and wait for a person (the engine's timers still count).
    Its token is its own, in no data the workflow can read: a decision is its only answer."""
    if task.pattern == "wait_for_task_token":  # stored before designer/definitions.py refused it
        return resources.failed(INVALID_ERROR, f"{APPROVAL_ARN}.waitForTaskToken: an approval waits for its "
                                               f"decision already; use {APPROVAL_ARN}.")
    try:
        request = parse_request(task.input, task.state)
    except InvalidRequest as e:
        return resources.failed(INVALID_ERROR, str(e))
    if not task.durable:
        return resources.WAIT  # resources.perform() explains that Express workflows cannot wait
    request.update(timeoutSeconds=task.timeout_seconds, heartbeatSeconds=task.heartbeat_seconds)
    with transaction.atomic():
        approval = TaskToken.objects.filter(execution_id=task.execution_id, effect_id=task.effect_id,
                                            kind=TaskToken.APPROVAL).first()
        if approval is None:  # else: the same attempt performed again (its worker died): one approval
            approval = TaskToken.objects.create(
                token=new_task_token(), kind=TaskToken.APPROVAL, execution_id=task.execution_id,
                effect_id=task.effect_id, state_name=task.state, input=json.dumps(task.input), request=request)
            transaction.on_commit(lambda: announce(approval))
    return resources.WAIT
