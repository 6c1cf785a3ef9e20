"""Who may see what: the one access rule of the Django side.

A state machine, its versions and aliases, its executions (their history, task logs and
waiting tasks) and an activity belong to their owner; staff see everyone's. An access key
is only ever its own user's, staff included: a key acts as its user. Whatever a user may
not see does not exist for them: a page or a JSON endpoint answers 404, the AWS API its
`*DoesNotExist` error (designer/api/lookups.py), a websocket refuses the handshake.

A workflow's task acts as its machine's owner: it may start that owner's state machines
and use that owner's connections, nobody else's (task_may_use); it may use the activities its
owner may see (task_may_use_activity; a definition naming another account's activity is refused
before that, designer/definitions.py, with sees_account).

Who may decide an approval is a rule of its own: designer/approvals/policy.py.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404

from designer import accounts, prepared
from designer.models import AccessKey, Activity, Execution, StateMachine, TaskToken


def socket_user(scope):
    """A websocket's user (Channels' AuthMiddlewareStack puts it in the scope), or None when the
    visitor is not logged in or the account is inactive: such a socket is refused."""
    user = scope.get("user")
    return user if user is not None and user.is_authenticated and user.is_active else None


def sees(user, owner_id) -> bool:
    """Whether `user` may see what `owner_id` owns."""
    return user.is_staff or owner_id == user.pk


def sees_account(user, account: str) -> bool:
    """Whether `user` may see what the account (of an ARN) holds: their own; any, for staff."""
    return user.is_staff or account == accounts.account_id(user)


def task_may_use_activity(owner_id, activity_owner_id) -> bool:
    """Whether a task of `owner_id`'s workflow may use (feed, wait on) `activity_owner_id`'s activity:
    one the workflow's owner may see. `owner_id` None: nothing checks."""
    if owner_id is None or owner_id == activity_owner_id:
        return True
    return get_user_model().objects.filter(pk=owner_id, is_staff=True, is_active=True).exists()


def task_may_use(owner_id, resource_owner_id) -> bool:
    """Whether a task of `owner_id`'s workflow may use what `resource_owner_id` owns (a machine to
    start, a connection). `owner_id` None: the task acts for nobody in particular (nothing checks)."""
    return owner_id is None or resource_owner_id == owner_id


def _owned(queryset, owner_field, user):
    return queryset if user.is_staff else queryset.filter(**{owner_field: user})


# --- what a user may see, as querysets --------------------------------------------

def machines_for(user):
    return _owned(StateMachine.objects.all(), "owner", user)


def executions_for(user):
    return _owned(Execution.objects.all(), "machine__owner", user)


def task_tokens_for(user):
    return _owned(TaskToken.objects.all(), "execution__machine__owner", user)


def activities_for(user):
    return _owned(Activity.objects.all(), "owner", user)


def access_keys_for(user):
    return AccessKey.objects.filter(user=user)


# --- one object, or Http404 -----------------------------------------------------------

def one(queryset):
    """The row of a lookup by a unique key, or None: like .first() without the ORDER BY it adds
    (whose compilation is a good part of a small query's cost)."""
    return next(iter(queryset.order_by()[:1]), None)


def _get(queryset, what, lookup):
    found = one(queryset.filter(**lookup))
    if found is None:
        raise Http404(f"No such {what}.")
    return found


def get_machine_for_user(user, *, for_update=False, **lookup) -> StateMachine:
    if not for_update and lookup.keys() == {"arn"}:  # every StartExecution: a prepared statement
        machine = prepared.get(StateMachine, "arn", lookup["arn"])
        if machine is None or not sees(user, machine.owner_id):
            raise Http404("No such state machine.")
        return machine
    machines = machines_for(user)
    return _get(machines.select_for_update() if for_update else machines, "state machine", lookup)


def get_execution_for_user(user, **lookup) -> Execution:
    return _get(executions_for(user).select_related("machine", "version", "alias"), "execution", lookup)


def get_task_token_for_user(user, **lookup) -> TaskToken:
    return _get(task_tokens_for(user), "task", lookup)


def get_activity_for_user(user, **lookup) -> Activity:
    return _get(activities_for(user), "activity", lookup)


def get_access_key_for_user(user, **lookup) -> AccessKey:
    return _get(access_keys_for(user), "access key", lookup)
