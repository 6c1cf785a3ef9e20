"""Fuzzing the AWS API (issue 9 §2): every operation of botocore's Step Functions model gets
valid-ish bodies made from its input shape and hostile ones (each member of the wrong type, huge,
deeply nested, NaN, 1e999, lone surrogates, missing), signed as a real client signs them, sent to
a live server. Not one answer may be a server error, and every error is AWS's: HTTP 400 with
`{"__type": "<namespace>#<Code>", "message"}`, the code one the operation's model lists or one of
AWS's front door. The seed is fixed: the same bodies on every run (tests/fuzzing.py)."""
import json
import time

import botocore.session
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.fuzzing import HOSTILE_BODIES, Generator

from .aws import REGION

SEED = 9
# errors any operation may answer: authentication, the request's own shape, the dispatcher
FRONT_DOOR = {"MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
              "UnrecognizedClientException", "UnknownOperationException", "SerializationException",
              "ValidationException", "AccessDeniedException", "RequestEntityTooLargeException"}
ACTIVITY_TASK = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "End": True,
                                                        "Resource": "ACTIVITY"}}}
CALLBACK = {"StartAt": "Wait", "States": {"Wait": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Nobody", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}


@pytest.fixture
def known(sfn, create, runtime, settings):
    """Real resources of alice's for valid-ish bodies to name: machines, a version, an alias, an
    activity with a task handed out, executions."""
    settings.STATELIGHT_ACTIVITY_POLL_SECONDS = 0.2
    activity = sfn.create_activity(name="fuzz_worker")["activityArn"]
    machine = create("fuzz_standard", publish=True)
    version = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"][0][
        "stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": version, "weight": 100}])["stateMachineAliasArn"]
    express = create("fuzz_express", type="EXPRESS")
    worker = create("fuzz_activity", definition=json.dumps(ACTIVITY_TASK).replace("ACTIVITY", activity))
    waiting = create("fuzz_callback", definition=json.dumps(CALLBACK))
    executions = [sfn.start_execution(stateMachineArn=arn)["executionArn"] for arn in (machine, worker, waiting)]
    token = sfn.get_activity_task(activityArn=activity).get("taskToken")
    return {"stateMachine": [machine, express, worker, waiting], "version": [version], "alias": [alias],
            "activity": [activity], "execution": executions, "express": [],
            "taskToken": [token] if token else []}


def test_it_answers_every_body_of_every_operation_without_a_server_error(server, credentials, alice, known):
    model = botocore.session.get_session().get_service_model("stepfunctions")
    generator = Generator(model, known, SEED)
    key = credentials(alice)
    # deleting comes last, so the other operations find what they name
    operations = sorted(model.operation_names, key=lambda name: name.startswith("Delete"))
    requests = [(name, what, text.encode("utf-8", "surrogatepass"))
                for name in operations for what, text in generator.bodies(name)]
    requests += [("ListStateMachines", f"body {raw[:20]!r}", raw) for raw in HOSTILE_BODIES]
    requests += [(name, "unknown operation", b"{}") for name in ("Nothing", "describeExecution", "", "x" * 5000)]

    failures, started = [], time.monotonic()
    with httpx.Client(base_url=server, timeout=120) as http:
        for operation, what, raw in requests:
            response = http.post("/", content=raw, headers=_signed(server, key, operation, raw))
            problem = _unlike_aws(model, operation, response)
            if problem:
                failures.append(f"{operation} ({what}): {problem}")
    elapsed = time.monotonic() - started
    print(f"fuzz: {len(requests)} API requests in {elapsed:.1f} s")
    assert not failures, f"{len(failures)} of {len(requests)} answers unlike AWS:\n" + "\n".join(failures[:60])


def _signed(server, key, operation, raw) -> dict:
    # a new connection per request: on a kept-alive one, the test server's separate writes of
    # headers and body meet the client's delayed ACK, and each request waits 40 ms
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AWSStepFunctions.{operation}",
               "Connection": "close"}
    request = AWSRequest(method="POST", url=server + "/", data=raw, headers=headers)
    SigV4Auth(Credentials(*key), "states", REGION).add_auth(request)
    return dict(request.headers.items())


def _unlike_aws(model, operation, response) -> str | None:
    """What is wrong with an answer, or None."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    try:
        payload = json.loads(response.content)
    except ValueError:
        return f"not JSON: {response.text[:200]}"
    if response.status_code == 200:
        return None if isinstance(payload, dict) else f"not an object: {response.text[:200]}"
    if response.status_code != 400:
        return f"HTTP {response.status_code}"
    kind = payload.get("__type", "")
    code = kind.rpartition("#")[2]
    if "#" not in kind or not isinstance(payload.get("message"), str):
        return f"not AWS's error shape: {response.text[:200]}"
    modelled = set()
    if operation in model.operation_names:
        modelled = {shape.name for shape in model.operation_model(operation).error_shapes}
    if code not in modelled | FRONT_DOOR:
        return f"{code} is not an error of {operation}: {payload['message'][:200]}"
    return None
