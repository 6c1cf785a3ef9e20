"""Human approval: the built-in task resource, the approval inbox and decisions.

A Task state whose Resource is `arn:aws:states:::statelight:approval` asks a
person. Its Parameters (README.md, "Human approval"):

    Title        what to decide (default: the state's name)
    Description  text for the approver
    Data         any JSON shown to the approver
    Choices      ["Approve", "Reject"] by default; a string, or {"Name", "Rejects": true}.
                 A choice named "Reject" (or with Rejects) fails the task.
    Comment      "optional" (default), "required" or "none"
    Form         fields the approver fills in, returned in the result:
                 [{"Name", "Label"?, "Type": text|textarea|number|boolean|select,
                   "Required"?, "Options"? (select), "Default"?}]
    Approvers    {"Groups": [...], "Users": [...]}; default: staff users

The task waits like `.waitForTaskToken` (a TaskToken of kind "approval";
TimeoutSeconds and HeartbeatSeconds are the engine's timers). Approving
gives {"Decision", "Comment", "DecidedBy", "DecidedAt", ...form fields};
rejecting fails the task with Statelight.ApprovalRejected (cause: the
comment). A decision is audited (TaskToken.decision, decided_by,
answered_at), single use (a conditional UPDATE: a second decision, even a
concurrent one, is refused) and refused for users who may not decide.
Superusers may decide anything; explicit Approvers replace the staff default.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from designer import access, resources, runtime
from designer.json_views import BadBody, read_body, wants_json
from designer.models import TaskToken
from designer.runtime import publish
from engine.tasks import new_task_token

log = logging.getLogger(__name__)

APPROVAL_ARN = "arn:aws:states:::statelight:approval"
REJECTED_ERROR = "Statelight.ApprovalRejected"
INVALID_ERROR = "Statelight.InvalidApprovalRequest"
APPROVALS_GROUP = "approvals"
RESULT_KEYS = ("Decision", "Comment", "DecidedBy", "DecidedAt")
DEFAULT_CHOICES = [{"name": "Approve", "rejects": False}, {"name": "Reject", "rejects": True}]
COMMENT_MODES = ("optional", "required", "none")
FIELD_TYPES = ("text", "textarea", "number", "boolean", "select")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_TEXT = 10_000


class InvalidRequest(ValueError):
    """The Parameters of an approval task say something we cannot ask."""


class Refused(Exception):
    """A decision that is not taken: status is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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
    """Open an approval for this attempt and wait for a person (the engine's timers still count)."""
    try:
        request = parse_request(task.input, task.state)
    except InvalidRequest as e:
        return resources.failed(INVALID_ERROR, str(e))
    if not task.durable:
        return resources.WAIT  # resources.perform() explains that Express workflows cannot wait
    request.update(timeoutSeconds=task.timeout_seconds, heartbeatSeconds=task.heartbeat_seconds)
    with transaction.atomic():
        if task.token:  # written as ...:approval.waitForTaskToken: the engine's token is the approval's
            TaskToken.objects.filter(token=task.token).update(kind=TaskToken.APPROVAL, request=request)
            approval = TaskToken.objects.filter(token=task.token).first()
        else:
            approval = TaskToken.objects.filter(execution_id=task.execution_id, effect_id=task.effect_id,
                                                kind=TaskToken.APPROVAL).first()
            if approval is None:  # else: the same attempt performed again (its worker died): one approval
                approval = TaskToken.objects.create(
                    token=new_task_token(), kind=TaskToken.APPROVAL, execution_id=task.execution_id,
                    effect_id=task.effect_id, state_name=task.state, input=json.dumps(task.input), request=request)
        if approval is not None:
            transaction.on_commit(lambda: announce(approval))
    return resources.WAIT


def announce(approval: TaskToken):
    """Tell inboxes and the execution's viewers (after commit) that an approval opened or closed."""
    publish.publish([
        (APPROVALS_GROUP, {"type": "approval.changed", "approval": approval.pk,
                           "approvers": (approval.request or {}).get("approvers")}),
        (publish.execution_group(approval.execution_id), {"type": "execution.tasks"}),
    ])


# --- who may decide -------------------------------------------------------------------

def can_decide(user, request: dict) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    approvers = (request or {}).get("approvers")
    if not approvers:
        return user.is_staff
    if user.get_username() in approvers.get("users", ()):
        return True
    groups = approvers.get("groups") or ()
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def pending_for(user, limit: int = 200) -> list[TaskToken]:
    """Open approvals this user may decide, oldest first."""
    open_ones = (TaskToken.objects.filter(kind=TaskToken.APPROVAL, answered_at=None)
                 .select_related("execution", "execution__machine").order_by("created_at", "id"))
    return [a for a in open_ones[:2000] if can_decide(user, a.request)][:limit]


def decided_for(user, limit: int = 20) -> list[TaskToken]:
    """Recent decisions on approvals this user may decide (or took): the audit trail."""
    done = (TaskToken.objects.filter(kind=TaskToken.APPROVAL).filter(decision__isnull=False)
            .select_related("execution", "execution__machine", "decided_by").order_by("-answered_at", "-id"))
    return [a for a in done[:500] if a.decided_by_id == user.pk or can_decide(user, a.request)][:limit]


# --- deciding -------------------------------------------------------------------------

def _field_value(field, raw, present):
    kind = field["type"]
    if not present or raw is None or raw == "":
        if kind == "boolean":
            value = field.get("default", False) if not present else False
            return bool(value) if isinstance(value, bool) else False
        if "default" in field and not present:
            return field["default"]
        if field["required"]:
            raise Refused(400, f"Fill in {field['label']}.")
        return None
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in ("on", "true", "1", "yes")
    if kind == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        try:
            number = float(str(raw).strip())
        except ValueError:
            raise Refused(400, f"{field['label']} must be a number.") from None
        return int(number) if number.is_integer() else number
    text = raw if isinstance(raw, str) else json.dumps(raw)
    if len(text) > MAX_TEXT:
        raise Refused(400, f"{field['label']} is too long.")
    if kind == "select" and text not in field["options"]:
        raise Refused(400, f"Choose one of the options for {field['label']}.")
    return text


def decide(approval_id: int, user, choice: str, comment: str = "", form: dict | None = None) -> dict:
    """Take a decision; returns the task's result. Raises Refused (404, 403, 409, 400)."""
    approval = (TaskToken.objects.filter(pk=approval_id, kind=TaskToken.APPROVAL)
                .select_related("execution", "decided_by").first())
    if approval is None:
        raise Refused(404, "No such approval.")
    request = approval.request or {}
    if not can_decide(user, request):
        raise Refused(403, "You may not decide this approval.")
    if approval.answered_at is not None:
        raise Refused(409, _closed_message(approval))
    chosen = next((c for c in request.get("choices", DEFAULT_CHOICES) if c["name"] == choice), None)
    if chosen is None:
        raise Refused(400, f"{choice!r} is not one of the choices.")
    comment = (comment or "").strip()
    if request.get("comment") == "none":
        comment = ""
    elif request.get("comment") == "required" and not comment:
        raise Refused(400, "Write a comment.")
    if len(comment) > MAX_TEXT:
        raise Refused(400, "The comment is too long.")
    form = form or {}
    fields = {f["name"]: _field_value(f, form.get(f["name"]), f["name"] in form) for f in request.get("form", [])}
    now = datetime.now(timezone.utc)
    result = {"Decision": chosen["name"], "Comment": comment, "DecidedBy": user.get_username(),
              "DecidedAt": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"), **fields}
    try:
        with transaction.atomic():
            # single use: whoever sets the decision first wins; the answer below closes the token
            taken = TaskToken.objects.filter(pk=approval.pk, answered_at=None, decision__isnull=True).update(
                decision=result, decided_by=user)
            if not taken:
                raise Refused(409, "This approval was decided already.")
            if chosen["rejects"]:
                runtime.send_task_failure(approval.token, REJECTED_ERROR,
                                          comment or f"Rejected by {user.get_username()}.")
            else:
                runtime.send_task_success(approval.token, json.dumps(result))
            transaction.on_commit(lambda: announce(approval))
    except runtime.RefusedRequest as e:  # closed meanwhile (timed out, execution stopped)
        raise Refused(409, f"This approval is closed: {e.message}") from None
    log.info("approval %s of %s (%s) decided by %s: %s", approval.pk, approval.execution.arn, approval.state_name,
             user.get_username(), chosen["name"])
    return result


def _closed_message(approval) -> str:
    if approval.decision:
        who = approval.decided_by.get_username() if approval.decided_by else "someone"
        return f"This approval was decided already ({approval.decision.get('Decision')} by {who})."
    return "This approval is closed: the task timed out or the execution ended."


# --- what the browser sees ------------------------------------------------------------

def approval_dict(approval: TaskToken, user) -> dict:
    request = approval.request or {}
    data = {
        "id": approval.pk, "kind": approval.kind, "state": approval.state_name,
        "title": request.get("title", approval.state_name), "description": request.get("description", ""),
        "data": request.get("data"), "choices": request.get("choices", DEFAULT_CHOICES),
        "comment": request.get("comment", "optional"), "form": request.get("form", []),
        "approvers": request.get("approvers"), "createdAt": approval.created_at.timestamp(),
        "decideUrl": reverse("approval-decide", args=[approval.pk]),
        "canDecide": can_decide(user, request) and approval.answered_at is None,
        "open": approval.answered_at is None,
        "decision": approval.decision,
    }
    return data


def who_decides(request: dict) -> str:
    approvers = (request or {}).get("approvers")
    if not approvers:
        return "staff"
    names = [*approvers.get("users", []), *(f"group {g}" for g in approvers.get("groups", []))]
    return ", ".join(names)


def inbox_context(user) -> dict:
    pending = pending_for(user)
    return {
        "pending": [_card(a, user) for a in pending],
        "decided": [_card(a, user) for a in decided_for(user)],
    }


def _card(approval, user) -> dict:
    request = approval.request or {}
    execution = approval.execution
    return {
        "approval": approval, "request": request,
        "data_text": json.dumps(request.get("data"), indent=2, ensure_ascii=False)
        if request.get("data") is not None else "",
        "execution": execution, "machine": execution.machine,
        "can_view": access.sees(user, execution.machine.owner_id), "who": who_decides(request),
    }


# --- pages ----------------------------------------------------------------------------

@login_required
@require_safe
def inbox(request):
    return render(request, "designer/approvals.html", inbox_context(request.user))


@require_POST
def decide_view(request, pk):
    """POST (CSRF-protected like any form): choice, comment, field:<name>... or the same as JSON."""
    as_json = wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse({"error": "Log in first."}, status=401)
        return HttpResponseRedirect(f"{reverse('login')}?next={reverse('approvals')}")
    try:
        choice, comment, form = _decision_of(request)
        result = decide(pk, request.user, choice, comment, form)
    except Refused as e:
        if e.status == 404 and not as_json:
            raise Http404(e.message) from None
        if as_json:
            return JsonResponse({"error": e.message}, status=e.status)
        return render(request, "designer/approvals.html",
                      {**inbox_context(request.user), "error": e.message}, status=e.status)
    if as_json:
        return JsonResponse({"result": result})
    target = request.POST.get("next") or reverse("approvals")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("approvals")
    return HttpResponseRedirect(target)


def _decision_of(request) -> tuple[str, str, dict]:
    """(choice, comment, form values) of a decision posted as JSON ({"choice", "comment", "form"})
    or as a form (choice, comment, field:<name>). Refused(400) when it says no choice."""
    try:
        body = read_body(request)
    except BadBody as e:
        raise Refused(e.status, e.message) from None
    if request.content_type == "application/json":
        form = body.get("form") if isinstance(body.get("form"), dict) else {}
    else:
        form = {key[len("field:"):]: value for key, value in body.items() if key.startswith("field:")}
    choice, comment = body.get("choice"), body.get("comment", "")
    if not isinstance(choice, str) or not isinstance(comment, str):
        raise Refused(400, "Choose what to do.")
    return choice, comment, form

