"""The one access rule (designer/access.py): alice owns, carol is staff, bob is an outsider."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from designer import access, accounts, arns
from designer.models import Activity
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_an_owner_and_staff_see_a_machine_an_outsider_does_not(alice, bob, carol):
    machine = make_machine(alice, "Mine", PASS)
    for user in (alice, carol):
        assert access.get_machine_for_user(user, pk=machine.pk) == machine
        assert list(access.machines_for(user)) == [machine]
    with pytest.raises(Http404, match="No such state machine."):
        access.get_machine_for_user(bob, pk=machine.pk)
    assert not access.machines_for(bob).exists()


def test_an_activity_is_its_owners_and_staffs(alice, bob, carol):
    activity = Activity.objects.create(arn=arns.arn("activity", "us-east-1", "A", account=accounts.account_id(alice)), name="A", region="us-east-1",
                                       owner=alice)
    assert access.get_activity_for_user(carol, arn=activity.arn) == activity
    with pytest.raises(Http404):
        access.get_activity_for_user(bob, arn=activity.arn)


def test_a_task_uses_only_its_own_owners_machines_and_connections(alice, carol):
    assert access.task_may_use(alice.pk, alice.pk)
    assert not access.task_may_use(carol.pk, alice.pk)  # staff's workflows included: a task is not a person
    assert access.task_may_use(None, alice.pk)  # a task acting for nobody in particular


def test_a_socket_has_a_user_only_when_someone_active_logged_in(alice):
    assert access.socket_user({"user": alice}) == alice
    assert access.socket_user({"user": AnonymousUser()}) is None
    assert access.socket_user({}) is None
    alice.is_active = False
    assert access.socket_user({"user": alice}) is None
