"""The resources an API call names by ARN, as the caller may see them (designer/access.py: a key
acts as its user). Anything the caller may not see is reported as not existing, with the error
AWS gives for another account's resources."""
from __future__ import annotations

from django.http import Http404

from designer import access
from designer.models import Activity, Execution, StateMachine, StateMachineAlias, StateMachineVersion, TaskToken

from .errors import ApiError


def machine_arn(parsed: dict) -> str:
    """The unqualified state machine ARN of a machine, version or alias ARN."""
    return f"arn:aws:states:{parsed['region']}:{parsed['account']}:stateMachine:{parsed['parts'][0]}"


def qualifier(parsed: dict) -> str | None:
    """'3' for a version ARN, 'prod' for an alias ARN, None for the machine itself."""
    parts = parsed["parts"]
    return parts[1] if len(parts) == 2 else None


def get_machine(user, arn: str, *, for_update=False) -> StateMachine:
    try:
        return access.get_machine_for_user(user, arn=arn, for_update=for_update)
    except Http404:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'") from None


def resolve(user, arn: str, parsed: dict) -> tuple[StateMachine, StateMachineVersion | None, StateMachineAlias | None]:
    """The machine, version and alias a (possibly qualified) state machine ARN names."""
    if len(parsed["parts"]) > 2:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}'")
    machine = get_machine(user, machine_arn(parsed))
    name = qualifier(parsed)
    if name is None:
        return machine, None, None
    if name.isdigit():
        version = machine.versions.filter(number=int(name)).first()
        if version is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return machine, version, None
    alias = machine.aliases.filter(name=name).first()
    if alias is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return machine, None, alias


def get_execution(user, arn: str) -> Execution:
    try:
        return access.get_execution_for_user(user, arn=arn)
    except Http404:
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'") from None


def get_activity(user, arn: str) -> Activity:
    try:
        return access.get_activity_for_user(user, arn=arn)
    except Http404:
        raise ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'") from None


def check_task_token(user, token: str) -> None:
    """A token of someone else's execution does not exist for this caller (unknown tokens are the
    runtime's to report, with its own error)."""
    if TaskToken.objects.filter(token=token).exclude(pk__in=access.task_tokens_for(user).values("pk")).exists():
        raise ApiError("TaskDoesNotExist", "Task does not exist: 'Provided task does not exist'")
