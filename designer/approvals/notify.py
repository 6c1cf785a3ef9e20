"""Telling whoever shows approvals that one opened or closed (after commit): the inboxes (group
"approvals", designer/approvals/consumers.py) and the execution's viewers ("execution.tasks")."""
from __future__ import annotations

from designer.models import TaskToken
from designer.runtime import publish

APPROVALS_GROUP = "approvals"


def announce(approval: TaskToken):
    """Tell inboxes and the execution's viewers (after commit) that an approval opened or closed."""
    publish.publish([
        (APPROVALS_GROUP, {"type": "approval.changed", "approval": approval.pk,
                           "approvers": (approval.request or {}).get("approvers")}),
        (publish.execution_group(approval.execution_id), {"type": "execution.tasks"}),
    ])
