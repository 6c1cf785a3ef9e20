"""An approval as the browser shows it: in the inbox, its socket, and the execution viewer."""
from __future__ import annotations

import json

from django.urls import reverse

from designer import access
from designer.models import TaskToken

from .policy import can_decide, decided_for, pending_for, who_decides
from .resource import DEFAULT_CHOICES


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
