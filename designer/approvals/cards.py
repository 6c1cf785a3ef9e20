"""An approval as the browser shows it: one card (templates/approvals/card.html) for the inbox
page, the inbox's socket and the execution viewer, and one row of the inbox's recent decisions.

The socket sends what changed, never the whole inbox (Inbox.changes()): the cards that opened,
and the ones that closed with the decision's row when there was one.
"""
from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.urls import reverse

from designer import access
from designer.models import TaskToken

from .policy import can_decide, decided_for, pending_for, who_decides


def card_context(approval: TaskToken, user, next_url: str = "") -> dict:
    """What the card template reads. `next_url`: where a form post without JavaScript comes back to."""
    request = approval.request or {}
    execution = approval.execution
    data = request.get("data")
    return {
        "approval": approval, "request": request, "execution": execution, "machine": execution.machine,
        "data_text": json.dumps(data, indent=2, ensure_ascii=False) if data is not None else "",
        "can_view": access.sees(user, execution.machine.owner_id), "who": who_decides(request),
        "can_decide": approval.answered_at is None and can_decide(user, request),
        "next": next_url or reverse("approvals"),
    }


def render_card(approval: TaskToken, user, *, request=None, csrf_token="", next_url="") -> str:
    """The card's HTML: with a request (a page, an endpoint) or with the CSRF cookie's value (a
    socket: Django accepts the unmasked secret)."""
    context = {"card": card_context(approval, user, next_url)}
    if request is None:
        context["csrf_token"] = csrf_token
    return render_to_string("approvals/card.html", context, request=request)


def render_decided_row(approval: TaskToken, user) -> str:
    return render_to_string("approvals/decided_row.html", {"card": card_context(approval, user)})


def inbox_context(user) -> dict:
    """The inbox page: the open approvals the user may decide, and the recent decisions."""
    return {"pending": [card_context(a, user) for a in pending_for(user)],
            "decided": [card_context(a, user) for a in decided_for(user)]}


def approval_dict(approval: TaskToken, user, request) -> dict:
    """A waiting approval in the execution viewer's list of tasks: the card, and what the page reads of it."""
    card = card_context(approval, user, approval.execution.get_absolute_url())
    return {
        "id": approval.pk, "state": approval.state_name, "title": card["request"].get("title", approval.state_name),
        "open": approval.answered_at is None, "canDecide": card["can_decide"],
        "decideUrl": reverse("approval-decide", args=[approval.pk]),
        "html": render_to_string("approvals/card.html", {"card": card}, request=request),
    }


class Inbox:
    """One user's inbox as its socket keeps it current: which cards it shows."""

    def __init__(self, user, csrf_token: str):
        self.user, self.csrf_token = user, csrf_token
        self.shown = []  # approval pks, in the order shown (oldest first)

    def everything(self) -> dict:
        """The whole inbox: on connect (and reconnect)."""
        pending = pending_for(self.user)
        self.shown = [a.pk for a in pending]
        return {"type": "inbox", "count": len(pending), "cards": [self._card(a) for a in pending],
                "decided": [render_decided_row(a, self.user) for a in decided_for(self.user)]}

    def changes(self) -> list[dict]:
        """What changed since the last look: an "opened" message per new card, a "closed" one per card
        gone (with its decision's row, if it was decided rather than timed out or stopped)."""
        before = set(self.shown)
        pending = pending_for(self.user)
        self.shown = [a.pk for a in pending]
        gone = before - set(self.shown)
        count = len(self.shown)
        closed = [{"type": "closed", "id": approval.pk, "count": count,
                   "decided": render_decided_row(approval, self.user) if approval.decision else None}
                  for approval in TaskToken.objects.filter(pk__in=gone).select_related(
                      "execution", "execution__machine", "decided_by").order_by("id")]
        opened = [{"type": "opened", "count": count, **self._card(a)} for a in pending if a.pk not in before]
        return closed + opened

    def executions(self) -> set:
        """The executions of the shown cards: a card also closes when its task ends without a decision."""
        return set(TaskToken.objects.filter(pk__in=self.shown).values_list("execution_id", flat=True))

    def _card(self, approval) -> dict:
        return {"id": approval.pk, "html": render_card(approval, self.user, csrf_token=self.csrf_token)}
