"""A definition as Statelight keeps it: the engine's validator's problems, then what a definition
may name beyond ASL, which depends on its owner and on Statelight's own task resources. Checked
wherever a definition is created or changed (the API's Create/UpdateStateMachine and
ValidateStateMachineDefinition, the designer's save, publish and run, `manage.py apply`); each
problem has a JSON pointer, a code and a message, like the validator's.

- An activity is another account's unless its owner may see it (designer/access.py): its input
  would be handed to someone else's workers, and anyone could feed (or flood) their queue. The
  runtime refuses it too, for definitions stored before this rule (designer/runtime/step.py).
- The approval resource never takes `.waitForTaskToken`: an approval waits for its decision
  already, and the token would put a second way to answer it, around the approvers and without
  the audit record, into the workflow's data (and from there into the history and the viewer).
"""
from __future__ import annotations

import engine
from designer import access, accounts, arns
from designer.approvals.resource import APPROVAL_ARN

INVALID_RESOURCE = "INVALID_RESOURCE"


def problems(definition, owner) -> list[engine.Problem]:
    """Every problem of a parsed definition (JSON) for the user who owns it (or would)."""
    found = engine.validate(definition)
    if any(problem.severity == "ERROR" for problem in found):
        return found  # the rules read a definition that parses
    tasks = [state for scope in engine.parse(definition).walk() for state in scope.states.values()
             if state.type == "Task"]
    return found + [problem for state in tasks for rule in RULES if (problem := rule(state, owner)) is not None]


def _foreign_activity(state, owner):
    parsed = arns.parse(state.resource_arn)
    if parsed is None or parsed["kind"] != "activity" or access.sees_account(owner, parsed["account"]):
        return None
    return engine.Problem(f"{state.pointer}/Resource", INVALID_RESOURCE, (
        f"The activity {state.resource_arn} of the state '{state.name}' is in account {parsed['account']}, not "
        f"yours ({accounts.account_id(owner)}): a state machine may only use its owner's activities."))


def _approval_with_a_token(state, owner):
    if state.resource_arn != APPROVAL_ARN or state.pattern != "wait_for_task_token":
        return None
    return engine.Problem(f"{state.pointer}/Resource", INVALID_RESOURCE, (
        f"The state '{state.name}' asks for an approval with .waitForTaskToken: an approval waits for its "
        f"decision already, and a task token would answer it around its approvers. Use {APPROVAL_ARN}."))


RULES = (_foreign_activity, _approval_with_a_token)
