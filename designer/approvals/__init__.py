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

The package, one concern a module:

    resource.py   the task resource: Parameters -> the request, an approval opened per attempt
    policy.py     who may decide what; a user's inbox (open and recent approvals)
    decision.py   taking a decision: checked, single use, audited, answering the task
    notify.py     telling inboxes and viewers that an approval opened or closed
    cards.py      an approval as the browser shows it: one card (templates/approvals/card.html)
    views.py      the inbox page and the decide endpoint
    consumers.py  the inbox's websocket
"""
