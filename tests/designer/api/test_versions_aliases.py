"""Publish/List/DeleteStateMachineVersion(s) and Create/Describe/Update/Delete/ListStateMachineAlias(es)."""
import json

import pytest

from .aws import PASS

SUCCEED = json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})


def test_it_publishes_versions_and_describes_them(sfn, create):
    arn = sfn.create_state_machine(name="m", definition=PASS, roleArn="arn:aws:iam::123456789012:role/R",
                                   publish=True, versionDescription="first")["stateMachineVersionArn"]
    assert arn.endswith(":stateMachine:m:1")
    sfn.update_state_machine(stateMachineArn=arn.rsplit(":", 1)[0], definition=SUCCEED)
    second = sfn.publish_state_machine_version(stateMachineArn=arn.rsplit(":", 1)[0], description="second")
    assert second["stateMachineVersionArn"].endswith(":m:2")
    first = sfn.describe_state_machine(stateMachineArn=arn)
    assert (first["definition"], first["description"]) == (PASS, "first")
    assert sfn.describe_state_machine(stateMachineArn=second["stateMachineVersionArn"])["definition"] == SUCCEED
    listed = sfn.list_state_machine_versions(stateMachineArn=arn.rsplit(":", 1)[0])["stateMachineVersions"]
    assert [v["stateMachineVersionArn"][-2:] for v in listed] == [":2", ":1"]


def test_it_publishes_nothing_new_when_nothing_changed(sfn, create):
    machine = create("m")
    first = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    assert sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == first
    updated = sfn.update_state_machine(stateMachineArn=machine, definition=SUCCEED, publish=True)
    assert updated["stateMachineVersionArn"].endswith(":2")


def test_it_publishes_only_the_revision_asked_for(sfn, create):
    machine = create("m")
    revision = sfn.describe_state_machine(stateMachineArn=machine)["revisionId"]
    sfn.update_state_machine(stateMachineArn=machine, definition=SUCCEED)
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=revision)


def test_it_deletes_versions_unless_an_alias_routes_to_them(sfn, create):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(name="prod", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)  # idempotent
    assert sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"] == []
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=v1)


def test_it_creates_describes_updates_and_lists_aliases(sfn, create):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=SUCCEED)
    v2 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    routes = [{"stateMachineVersionArn": v1, "weight": 90}, {"stateMachineVersionArn": v2, "weight": 10}]
    alias = sfn.create_state_machine_alias(name="prod", description="live", routingConfiguration=routes)
    assert alias["stateMachineAliasArn"] == machine + ":prod"
    # the same request again is fine
    assert sfn.create_state_machine_alias(name="prod", description="live", routingConfiguration=routes)[
        "stateMachineAliasArn"] == machine + ":prod"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=machine + ":prod")
    assert (described["name"], described["description"], described["routingConfiguration"]) == (
        "prod", "live", routes)
    sfn.update_state_machine_alias(stateMachineAliasArn=machine + ":prod",
                                   routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=machine + ":prod")["routingConfiguration"] == [
        {"stateMachineVersionArn": v2, "weight": 100}]
    sfn.create_state_machine_alias(name="beta", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    listed = sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [machine + ":beta", machine + ":prod"]
    # by version: the aliases routing to it
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=v1)[
        "stateMachineAliases"]] == [machine + ":beta"]


@pytest.mark.parametrize("routes, error", [
    (lambda v1, v2: [{"stateMachineVersionArn": v1, "weight": 50}], "ValidationException"),
    (lambda v1, v2: [{"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v1, "weight": 50}],
     "ValidationException"),
    (lambda v1, v2: [{"stateMachineVersionArn": v1[:-1] + "9", "weight": 100}], "ResourceNotFound"),
    (lambda v1, v2: [{"stateMachineVersionArn": "arn:nope", "weight": 100}], "InvalidArn"),
])
def test_it_refuses_bad_routing(sfn, create, routes, error):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    with pytest.raises(getattr(sfn.exceptions, error)):
        sfn.create_state_machine_alias(name="prod", routingConfiguration=routes(v1, None))


def test_it_refuses_alias_names_that_look_like_versions(sfn, create):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_state_machine_alias(name="12", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])


def test_it_answers_resource_not_found_for_a_missing_alias(sfn, create):
    machine = create("m")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=machine + ":nope")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine_alias(stateMachineAliasArn=machine + ":3")


def test_it_keeps_other_users_out_of_versions_and_aliases(sfn, create, client_for, bob):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    as_bob = client_for(bob)
    with pytest.raises(as_bob.exceptions.StateMachineDoesNotExist):
        as_bob.publish_state_machine_version(stateMachineArn=machine)
    with pytest.raises(as_bob.exceptions.StateMachineDoesNotExist):
        as_bob.create_state_machine_alias(name="mine", routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 100}])


def test_it_deletes_versions_and_aliases_with_their_machine(sfn, create):
    machine = create("m")
    v1 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    sfn.create_state_machine_alias(name="prod", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    sfn.delete_state_machine(stateMachineArn=machine)
    create("m")
    assert sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"] == []
    assert sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"] == []
