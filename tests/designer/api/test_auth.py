"""Signature Version 4 with keys issued in the app: what boto3 and the CLI send is
accepted, anything else gets AWS's auth errors (HTTP 400, AWS-shaped)."""
import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from django.utils import timezone as dj_timezone

from designer import access_keys, accounts
from designer.api import auth, sigv4
from designer.models import AccessKey

from .aws import REGION, aws_error


def code_of(info) -> str:
    return info.value.response["Error"]["Code"]


def test_it_accepts_requests_signed_by_boto3(sfn):
    assert sfn.list_state_machines()["stateMachines"] == []


def test_it_refuses_unsigned_requests(server, api_db):
    unsigned = boto3.client("stepfunctions", endpoint_url=server, region_name=REGION,
                            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as info:
        unsigned.list_state_machines()
    assert code_of(info) == "MissingAuthenticationTokenException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_it_refuses_an_unknown_key(client_for, api_db):
    stranger = client_for(("AKIAAAAAAAAAAAAAAAAA", "x" * 40))
    with pytest.raises(ClientError) as info:
        stranger.list_state_machines()
    assert code_of(info) == "UnrecognizedClientException"
    assert info.value.response["Error"]["Message"] == "The security token included in the request is invalid."


def test_it_refuses_a_wrong_secret(client_for, alice):
    key, _ = access_keys.issue(alice)
    with pytest.raises(ClientError) as info:
        client_for((key.access_key_id, "wrong" * 8)).list_state_machines()
    assert code_of(info) == "InvalidSignatureException"
    assert info.value.response["Error"]["Message"].startswith("The request signature we calculated does not match")


def test_it_refuses_a_revoked_key(client_for, alice):
    key, secret = access_keys.issue(alice)
    sfn = client_for((key.access_key_id, secret))
    sfn.list_state_machines()
    access_keys.revoke(key)
    with pytest.raises(ClientError) as info:
        sfn.list_state_machines()
    assert code_of(info) == "UnrecognizedClientException"


def test_it_refuses_the_key_of_a_deactivated_user(client_for, alice):
    sfn = client_for(alice)
    alice.is_active = False
    alice.save()
    with pytest.raises(ClientError) as info:
        sfn.list_state_machines()
    assert code_of(info) == "UnrecognizedClientException"


def test_it_notes_when_a_key_was_last_used(client_for, alice):
    key, secret = access_keys.issue(alice)
    assert key.last_used_at is None
    client_for((key.access_key_id, secret)).list_state_machines()
    key.refresh_from_db()
    assert dj_timezone.now() - key.last_used_at < timedelta(minutes=1)


def test_it_refuses_a_body_changed_after_signing(post):
    status, code, _ = aws_error(post(body={"maxResults": 1}, after_signing=lambda headers, body: b'{"maxResults":2}'))
    assert (status, code) == (400, "InvalidSignatureException")


def test_it_refuses_a_signed_header_changed_after_signing(post):
    def spoil(headers, body):
        headers["X-Amz-Target"] = "AWSStepFunctions.ListActivities"
    status, code, _ = aws_error(post(after_signing=spoil))
    assert (status, code) == (400, "InvalidSignatureException")


@pytest.mark.parametrize("minutes, accepted", [(-14, True), (14, True), (-16, False), (16, False)])
def test_it_accepts_fifteen_minutes_of_clock_skew(post, minutes, accepted):
    r = post(at=datetime.now(timezone.utc) + timedelta(minutes=minutes))
    if accepted:
        assert r.status_code == 200
    else:
        status, code, message = aws_error(r)
        assert (status, code) == (400, "InvalidSignatureException")
        assert message.startswith("Signature expired")


def test_it_refuses_a_signature_for_another_service(post):
    status, code, message = aws_error(post(service="lambda"))
    assert (status, code) == (400, "InvalidSignatureException")
    assert "'states'" in message


@pytest.mark.parametrize("authorization, code", [
    ("Basic YWxpY2U6cGFzcw==", "IncompleteSignatureException"),
    ("AWS4-HMAC-SHA256 Credential=AKIA/20250101/us-east-1/states/aws4_request", "IncompleteSignatureException"),
    ("AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host, Signature=00", "IncompleteSignatureException"),
])
def test_it_refuses_malformed_authorization_headers(post, authorization, code):
    status, got, _ = aws_error(post(headers={"Authorization": authorization}))
    assert (status, got) == (400, code)


def test_it_uses_the_region_of_the_signature(client_for, alice):
    tokyo = client_for(alice, region="ap-northeast-1")
    arn = tokyo.create_activity(name="worker")["activityArn"]
    assert arn == f"arn:aws:states:ap-northeast-1:{accounts.account_id(alice)}:activity:worker"


@pytest.mark.parametrize("username, flags", [("alice", {}), ("carol", {"is_staff": True}),
                                             ("root", {"is_staff": True, "is_superuser": True})])
def test_a_key_acts_as_its_user_with_that_users_flags(credentials, django_user_model, username, flags):
    # the user is read in one raw query (every call runs it): each value must land in its own field
    person = django_user_model.objects.create_user(username, **flags)
    key_id, _ = credentials(person)
    user = auth._active_key(key_id)[3]
    assert (user.pk, user.get_username(), user.is_active, user.is_staff, user.is_superuser) == (
        person.pk, username, True, flags.get("is_staff", False), flags.get("is_superuser", False))


def test_it_verifies_the_forwarded_host_only_behind_a_trusted_proxy(post, server, settings):
    settings.ALLOWED_HOSTS = ["localhost", "statelight.example.com"]
    public = "https://statelight.example.com/"
    forwarded = {"X-Forwarded-Host": "statelight.example.com"}
    status, code, _ = aws_error(post(sign_url=public, headers=forwarded))
    assert (status, code) == (400, "InvalidSignatureException")
    settings.USE_X_FORWARDED_HOST = True
    assert post(sign_url=public, headers=forwarded).status_code == 200


def test_it_verifies_a_path_prefix_a_proxy_strips(post, server, settings):
    # the client calls .../statelight/, the proxy passes "/" on, and Django
    # knows the prefix from FORCE_SCRIPT_NAME
    public = server + "/statelight/"
    assert aws_error(post(sign_url=public))[1] == "InvalidSignatureException"
    settings.FORCE_SCRIPT_NAME = "/statelight"
    assert post(sign_url=public).status_code == 200
    assert post(sign_url=server + "/statelight").status_code == 200


# --- the verifier against botocore's signer, without a server ---------------------------------

def sign(url, body=b"{}", headers=None, secret="secret", region="us-east-1"):
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines", **(headers or {})})
    SigV4Auth(Credentials("AKIDEXAMPLE", secret), "states", region).add_auth(request)
    return request


def as_received(request, path, query="", host=None):
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = host or request.url.split("/")[2]
    return sigv4.SignedRequest("POST", path, query, headers, request.body)


def check(received, secret="secret"):
    credential = sigv4.parse(received, datetime.now(timezone.utc))
    sigv4.verify(received, credential, secret)
    return credential


@pytest.mark.parametrize("url, path, query", [
    ("http://localhost:8000/", "/", ""),
    ("https://sfn.example.com/", "/", ""),
    ("https://sfn.example.com/statelight/", "/statelight/", ""),
    ("https://sfn.example.com/statelight", "/statelight/", ""),  # no trailing slash: the proxy adds one
    ("https://sfn.example.com/a b/~x/", "/a b/~x/", ""),
    ("http://localhost:8000/?b=2&a=1&a=0", "/", "b=2&a=1&a=0"),
])
def test_it_accepts_what_botocore_signs(url, path, query):
    host = url.split("/")[2]
    check(as_received(sign(url), path, query, host))


def test_it_reads_the_credential_scope():
    credential = check(as_received(sign("http://localhost/", region="eu-central-1"), "/"))
    assert (credential.access_key_id, credential.region, credential.service) == ("AKIDEXAMPLE", "eu-central-1",
                                                                               "states")


def test_it_refuses_another_host_or_secret():
    request = sign("http://localhost:8000/")
    with pytest.raises(sigv4.ApiError) as info:
        check(as_received(request, "/", host="localhost:8001"))
    assert info.value.code == "InvalidSignatureException"
    with pytest.raises(sigv4.ApiError):
        check(as_received(request, "/"), secret="other")


def test_it_checks_a_declared_payload_hash():
    body = b'{"maxResults":1}'
    import hashlib

    good = sign("http://localhost/", body, {"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    check(as_received(good, "/"))
    unsigned = sign("http://localhost/", body, {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    with pytest.raises(sigv4.ApiError) as info:
        check(as_received(unsigned, "/"))
    assert "X-Amz-Content-SHA256" in info.value.message


def test_it_stores_secrets_encrypted_and_never_in_plain_text(alice):
    key, secret = access_keys.issue(alice)
    stored = AccessKey.objects.get(pk=key.pk)
    assert secret not in stored.encrypted_secret
    assert stored.secret == secret
    assert len(secret) == 40
    assert key.access_key_id.startswith("AKIA") and len(key.access_key_id) == 20
    assert json.dumps(key.access_key_id).isascii()
