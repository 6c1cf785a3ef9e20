"""AWS JSON 1.0 on POST /: dispatch on X-Amz-Target, and every malformed request
answered with an AWS-shaped HTTP 400 (never a login page, a CSRF failure or a 500)."""
import json

import pytest
from botocore.exceptions import ClientError

from .aws import PASS, ROLE, aws_error


def test_it_answers_in_aws_json(post):
    r = post("AWSStepFunctions.ListStateMachines", {})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert r.headers["x-amzn-RequestId"]
    assert r.json() == {"stateMachines": []}


def test_it_shapes_errors_as_aws_does(post):
    r = post("AWSStepFunctions.DescribeExecution",
             {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e"})
    assert r.status_code == 400
    assert r.json() == {
        "__type": "com.amazonaws.swf.service.model.v20160623#ExecutionDoesNotExist",
        "message": "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:m:e'",
    }


def test_it_refuses_a_post_without_a_target(post):
    status, code, message = aws_error(post(None, {}))
    assert (status, code) == (400, "UnknownOperationException")
    assert "X-Amz-Target" in message


def test_it_refuses_an_unsigned_post_without_a_target_too(post, client):
    r = client.post("/", {"some": "form"})  # a browser form: no CSRF 403, no login redirect
    status, code, _ = aws_error(r)
    assert (status, code) == (400, "UnknownOperationException")


def test_it_refuses_unknown_operations(post, sfn):
    status, code, message = aws_error(post("AWSStepFunctions.MakePizza", {}))
    assert (status, code, message) == (400, "UnknownOperationException", "Unknown operation: MakePizza")
    status, code, _ = aws_error(post("DynamoDB_20120810.ListTables", {}))
    assert (status, code) == (400, "UnknownOperationException")
    # operations of the AWS model Statelight does not offer: named as such
    with pytest.raises(ClientError) as info:
        sfn.describe_map_run(mapRunArn="arn:aws:states:us-east-1:123456789012:mapRun:m/x:y")
    assert info.value.response["Error"] == {
        "Code": "UnknownOperationException", "Message": "Statelight does not support the operation DescribeMapRun"}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"[" * 5000 + b"]" * 5000,
                                  b'{"maxResults": ' + b"[" * 600 + b"]" * 600 + b"}", b'{"maxResults": NaN}',
                                  b'{"loggingConfiguration": {"destinations": [1e999]}}'])
def test_it_refuses_bodies_that_are_not_a_json_object(post, body):
    status, code, _ = aws_error(post("AWSStepFunctions.ListStateMachines", body))
    assert (status, code) == (400, "SerializationException")


@pytest.mark.parametrize("target, body, member", [
    ("ListStateMachines", {"maxResults": "ten"}, "maxResults"),
    ("ListStateMachines", {"maxResults": True}, "maxResults"),
    ("CreateStateMachine", {"name": 5, "definition": PASS, "roleArn": ROLE}, "name"),
    ("CreateStateMachine", {"name": "m", "definition": {"StartAt": "P"}, "roleArn": ROLE}, "definition"),
    ("GetExecutionHistory", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e",
                             "reverseOrder": "yes"}, "reverseOrder"),
    ("TagResource", {"resourceArn": "arn:aws:states:us-east-1:123456789012:activity:a", "tags": {"k": "v"}},
     "tags"),
])
def test_it_refuses_members_of_the_wrong_type(post, target, body, member):
    status, code, message = aws_error(post(f"AWSStepFunctions.{target}", body))
    assert (status, code) == (400, "SerializationException")
    assert member in message


def test_it_refuses_members_outside_their_constraints(post):
    status, code, message = aws_error(post("AWSStepFunctions.ListStateMachines", {"maxResults": 5000}))
    assert (status, code) == (400, "ValidationException")
    assert message == ("1 validation error detected: Value '5000' at 'maxResults' failed to satisfy constraint: "
                       "Member must have value less than or equal to 1000")
    status, code, message = aws_error(post("AWSStepFunctions.CreateStateMachine", {"definition": PASS}))
    assert (status, code) == (400, "ValidationException")
    assert "Value null at 'name'" in message


# issue 9: a lone surrogate reached the database query (UnicodeEncodeError, HTTP 500). Each member
# answers it with the error AWS gives a malformed value of its kind.
@pytest.mark.parametrize("target, body, code", [
    ("SendTaskSuccess", {"taskToken": "abc\ud800", "output": "{}"}, "InvalidToken"),
    ("SendTaskHeartbeat", {"taskToken": "\udfff"}, "InvalidToken"),
    ("DescribeExecution", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:\ud800"}, "InvalidArn"),
    ("StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:\ud800"},
     "InvalidArn"),
    ("CreateActivity", {"name": "a\ud800"}, "InvalidName"),
    ("ListStateMachines", {"nextToken": "\ud800"}, "InvalidToken"),
    ("StopExecution", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e", "cause": "\ud800"},
     "ValidationException"),
    ("CreateActivity", {"name": "a", "tags": [{"key": "k", "value": "\udc00"}]}, "ValidationException"),
])
def test_a_lone_surrogate_is_a_malformed_value_of_its_member(post, target, body, code):
    raw = json.dumps(body).encode()  # json.dumps writes the surrogate as the escape \ud800 or \udfff
    status, answered, message = aws_error(post(f"AWSStepFunctions.{target}", raw))
    assert (status, answered) == (400, code)
    assert "lone surrogate" in message


def test_it_treats_null_members_as_absent(post):
    r = post("AWSStepFunctions.ListStateMachines", {"maxResults": None, "nextToken": None})
    assert r.status_code == 200


def test_it_refuses_an_oversized_body_in_aws_shape(post):
    # far beyond Django's DATA_UPLOAD_MAX_MEMORY_SIZE: the view reads the body itself
    body = json.dumps({"name": "m", "definition": "x" * (17 * 1024 * 1024), "roleArn": ROLE})
    status, code, message = aws_error(post("AWSStepFunctions.CreateStateMachine", body))
    assert (status, code) == (400, "ValidationException")
    assert "MiB" in message


def test_it_accepts_a_definition_between_djangos_limit_and_one_mebibyte(sfn):
    # ~1 MiB of definition that botocore escapes (\u00e9) to 6 MB of body
    comment = "é" * (1024 * 1024 - 100)
    definition = json.dumps({"Comment": comment, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                            ensure_ascii=False)
    assert len(definition) <= 1024 * 1024
    arn = sfn.create_state_machine(name="big", definition=definition, roleArn=ROLE)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == definition


def test_it_still_serves_the_home_page_on_get(client):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")
