"""Who may see what: a key acts as its user, users see their own state
machines, executions and activities, staff see everything. Anything a
caller may not see is reported as not existing, as AWS does for another
account's resources."""
from __future__ import annotations

from designer.models import Activity, Execution, StateMachine, StateMachineAlias, StateMachineVersion, TaskToken

from .errors import ApiError


def one(queryset):
    """The row of a lookup by a unique key, or None: like .first() without the
    ORDER BY it adds (whose compilation is a good part of a small query's cost)."""
    return next(iter(queryset.order_by()[:1]), None)


def machines_for(user):
    qs = StateMachine.objects.all()
    return qs if user.is_staff else qs.filter(owner=user)


def executions_for(user):
    qs = Execution.objects.all()
    return qs if user.is_staff else qs.filter(machine__owner=user)


def activities_for(user):
    qs = Activity.objects.all()
    return qs if user.is_staff else qs.filter(owner=user)


def machine_arn(parsed: dict) -> str:
    """The unqualified state machine ARN of a machine, version or alias ARN."""
    return f"arn:aws:states:{parsed['region']}:{parsed['account']}:stateMachine:{parsed['parts'][0]}"


def qualifier(parsed: dict) -> str | None:
    """'3' for a version ARN, 'prod' for an alias ARN, None for the machine itself."""
    parts = parsed["parts"]
    return parts[1] if len(parts) == 2 else None


def get_machine(user, arn: str, *, for_update=False) -> StateMachine:
    qs = machines_for(user)
    if for_update:
        qs = qs.select_for_update()
    machine = one(qs.filter(arn=arn))
    if machine is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return machine


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
    execution = one(executions_for(user).select_related("machine", "version", "alias").filter(arn=arn))
    if execution is None:
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    return execution


def get_activity(user, arn: str) -> Activity:
    activity = one(activities_for(user).filter(arn=arn))
    if activity is None:
        raise ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    return activity


def check_task_token(user, token: str) -> None:
    """A token of someone else's execution does not exist for this caller
    (unknown tokens are the runtime's to report)."""
    if user.is_staff:
        return
    owner = TaskToken.objects.filter(token=token).values_list("execution__machine__owner_id", flat=True).first()
    if owner is not None and owner != user.pk:
        raise ApiError("TaskDoesNotExist", "Task does not exist: 'Provided task does not exist'")
