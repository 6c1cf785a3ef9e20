"""Who may decide an approval, and what a user's inbox holds.

An approval names its approvers ({"Groups": [...], "Users": [...]} in its Parameters); without
them staff decide. Superusers may decide anything. Who may *see* the execution is the site's
access rule (designer/access.py); deciding is this one.
"""
from __future__ import annotations

from designer.models import TaskToken


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


def who_decides(request: dict) -> str:
    approvers = (request or {}).get("approvers")
    if not approvers:
        return "staff"
    names = [*approvers.get("users", []), *(f"group {g}" for g in approvers.get("groups", []))]
    return ", ".join(names)
