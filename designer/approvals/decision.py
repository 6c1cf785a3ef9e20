"""Taking a decision: the approver may decide, the choice and form are checked, the decision is
single use (a conditional UPDATE: a second one, even at the same moment, is refused), kept with
the approval (TaskToken.decision, decided_by, answered_at) and given to the task: its result, or
Statelight.ApprovalRejected."""
from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timezone

from django.db import transaction

from designer import runtime
from designer.models import TaskToken

from .notify import announce
from .policy import can_decide
from .resource import DEFAULT_CHOICES, MAX_TEXT

log = logging.getLogger(__name__)

REJECTED_ERROR = "Statelight.ApprovalRejected"
ANSWERED_HERE = (TaskToken.APPROVAL,)  # the tokens runtime.send_task_* answer for a decision


class Refused(Exception):
    """A decision that is not taken: status is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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
            number = math.nan
        if not math.isfinite(number):  # "1e999" reads as inf, "nan" as NaN: no JSON number
            raise Refused(400, f"{field['label']} must be a number.")
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
            # the one way an approval's token is answered (SendTask* refuse it: runtime/tokens.py)
            if chosen["rejects"]:
                runtime.send_task_failure(approval.token, REJECTED_ERROR,
                                          comment or f"Rejected by {user.get_username()}.", kinds=ANSWERED_HERE)
            else:
                runtime.send_task_success(approval.token, json.dumps(result), kinds=ANSWERED_HERE)
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
