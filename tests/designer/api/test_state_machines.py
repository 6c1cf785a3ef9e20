"""Create/Describe/Update/Delete/ListStateMachines and DescribeStateMachine's errors."""
import json

import pytest
from botocore.exceptions import ClientError

from designer import accounts

from .aws import PASS, ROLE, SEED, example



def error_code(info) -> str:
    return info.value.response["Error"]["Code"]


def test_it_creates_and_describes_the_seed_examples(sfn, create, alice):
    for name in ("two_tasks", "parallel"):
        arn = create(name, example(name))
        assert arn == f"arn:aws:states:us-east-1:{accounts.account_id(alice)}:stateMachine:{name}"
        described = sfn.describe_state_machine(stateMachineArn=arn)
        # the definition comes back byte for byte
        assert described["definition"] == example(name)
        assert described["name"] == name
        assert described["status"] == "ACTIVE"
        assert described["type"] == "STANDARD"
        assert described["roleArn"] == ROLE
        assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
        assert described["creationDate"].year >= 2025


def test_it_refuses_the_seed_retry_catch_example_naming_the_state(sfn):
    path = SEED / "retry-catch.asl.json"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        sfn.create_state_machine(name="retry_catch", definition=path.read_text(), roleArn=ROLE)
    message = info.value.response["Error"]["Message"]
    assert message.startswith("Invalid State Machine Definition: ")
    assert "/States/FailingTask" in message
    # nothing half-written
    assert sfn.list_state_machines()["stateMachines"] == []


def test_it_lists_state_machines_by_name(sfn, create):
    for name in ("b", "a", "c"):
        create(name)
    listed = sfn.list_state_machines()["stateMachines"]
    assert [m["name"] for m in listed] == ["a", "b", "c"]
    assert set(listed[0]) == {"stateMachineArn", "name", "type", "creationDate"}


def test_it_pages_with_next_tokens(sfn, create):
    for n in range(5):
        create(f"m{n}")
    first = sfn.list_state_machines(maxResults=2)
    assert [m["name"] for m in first["stateMachines"]] == ["m0", "m1"]
    create("m1a")  # added behind the page already read: shows up, nothing shifts
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert [m["name"] for m in second["stateMachines"]] == ["m1a", "m2"]
    names = [m["name"] for page in sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2})
             for m in page["stateMachines"]]
    assert names == ["m0", "m1", "m1a", "m2", "m3", "m4"]


def test_it_refuses_a_tampered_next_token(sfn, create):
    for n in range(3):
        create(f"m{n}")
    token = sfn.list_state_machines(maxResults=1)["nextToken"]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token"):
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.list_state_machines(maxResults=1, nextToken=bad)
    # a token is for the operation that issued it
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_activities(nextToken=token)


def test_it_is_idempotent_for_the_same_machine_and_refuses_a_different_one(sfn, create):
    arn = create("same")
    assert create("same") == arn
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        create("same", json.dumps({"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}))


def test_it_creates_express_machines_with_tags_logging_and_tracing(sfn, create):
    arn = create("fast", type="EXPRESS", tags=[{"key": "team", "value": "pizza"}],
                 tracingConfiguration={"enabled": True})
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["type"] == "EXPRESS"
    assert described["tracingConfiguration"] == {"enabled": True}
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "pizza"}]


def test_it_updates_the_definition_and_role(sfn, create):
    arn = create("m")
    before = sfn.describe_state_machine(stateMachineArn=arn)["revisionId"]
    new = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=new,
                                       roleArn="arn:aws:iam::123456789012:role/Other")
    assert updated["revisionId"] != before
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == new
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/Other"
    assert described["revisionId"] == updated["revisionId"]


def test_it_refuses_an_invalid_update_and_keeps_the_machine(sfn, create):
    arn = create("m")
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.update_state_machine(stateMachineArn=arn, definition='{"StartAt": "Nowhere", "States": {}}')
    with pytest.raises(sfn.exceptions.MissingRequiredParameter):
        sfn.update_state_machine(stateMachineArn=arn)
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == PASS


def test_it_deletes_and_deleting_again_is_fine(sfn, create):
    arn = create("m")
    sfn.delete_state_machine(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_it_refuses_invalid_names_and_arns(sfn):
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_state_machine(name="has space", definition=PASS, roleArn=ROLE)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.create_state_machine(name="m", definition=PASS, roleArn="not-a-role")
    for bad in ("arn:aws:states:us-east-1:123456789012:activity:x", "nonsense",
                "arn:aws:states:us-east-1:123456789012:stateMachine:a:1:2"):
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.describe_state_machine(stateMachineArn=bad)


def test_it_reports_every_problem_of_an_invalid_definition(sfn):
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task"}, "B": {"Type": "Pass", "Next": "Z"}}})
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        sfn.create_state_machine(name="m", definition=definition, roleArn=ROLE)
    message = info.value.response["Error"]["Message"]
    assert "/States/A" in message and "/States/B/Next" in message
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        sfn.create_state_machine(name="m", definition="{not json", roleArn=ROLE)
    assert "INVALID_JSON_DESCRIPTION" in info.value.response["Error"]["Message"]


def test_it_refuses_a_definition_over_one_mebibyte(sfn):
    definition = json.dumps({"Comment": "x" * (1024 * 1024), "StartAt": "P",
                             "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(ClientError) as info:
        sfn.create_state_machine(name="big", definition=definition, roleArn=ROLE)
    assert error_code(info) == "ValidationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "1048576" in info.value.response["Error"]["Message"]


def test_it_shows_users_only_their_own_machines(client_for, sfn, create, bob, carol):
    arn = create("alices")
    as_bob = client_for(bob)
    assert as_bob.list_state_machines()["stateMachines"] == []
    with pytest.raises(as_bob.exceptions.StateMachineDoesNotExist):
        as_bob.describe_state_machine(stateMachineArn=arn)
    as_bob.delete_state_machine(stateMachineArn=arn)  # nothing to delete, as far as bob knows
    assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == "alices"
    # staff see everything
    assert [m["stateMachineArn"] for m in client_for(carol).list_state_machines()["stateMachines"]] == [arn]
    assert client_for(carol).describe_state_machine(stateMachineArn=arn)["name"] == "alices"


def test_names_are_per_account(client_for, sfn, create, alice, bob):
    # issue 9: bob creating alice's name was told her ARN exists (names could be probed and squatted)
    alices = create("a_pass")
    as_bob = client_for(bob)
    bobs = as_bob.create_state_machine(name="a_pass", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert bobs == f"arn:aws:states:us-east-1:{accounts.account_id(bob)}:stateMachine:a_pass" != alices
    assert accounts.account_id(bob) != accounts.account_id(alice)
    assert [m["stateMachineArn"] for m in as_bob.list_state_machines()["stateMachines"]] == [bobs]
    with pytest.raises(as_bob.exceptions.StateMachineDoesNotExist):
        as_bob.describe_state_machine(stateMachineArn=alices)
    with pytest.raises(as_bob.exceptions.StateMachineDoesNotExist):
        as_bob.start_execution(stateMachineArn=alices)
    assert sfn.describe_state_machine(stateMachineArn=alices)["definition"] == PASS


def test_it_puts_the_signature_region_in_arns_and_lists_by_region(client_for, alice):
    europe = client_for(alice, region="eu-west-3")
    arn = europe.create_state_machine(name="m", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert arn == f"arn:aws:states:eu-west-3:{accounts.account_id(alice)}:stateMachine:m"
    assert len(europe.list_state_machines()["stateMachines"]) == 1
    assert client_for(alice).list_state_machines()["stateMachines"] == []
