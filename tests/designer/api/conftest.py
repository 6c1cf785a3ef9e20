"""A real server for the AWS API tests: Django's live server thread on a
migrated, file-backed SQLite database (so the server's request threads, the
API's worker threads, the runtime and the test all share it, each with its
own connection, as in production), driven by the real boto3 and AWS CLI.

    def test_it_...(sfn):                 # boto3 client signed with alice's key
    def test_it_...(client_for, bob):     # any user's client
    def test_it_...(sfn, runtime):        # with the runtime advancing executions
"""
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config
from django.test.testcases import LiveServerThread

from designer import access_keys
from designer.api import protocol
from tests.helpers import migrate, using_database

from .aws import PASS, REGION, ROLE

# --- database -------------------------------------------------------------

@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("api-template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def api_db(template_db, tmp_path, django_db_blocker, monkeypatch):
    target = tmp_path / "db.sqlite3"
    shutil.copyfile(template_db, target)
    # the API's worker threads keep their connection: fresh threads for a fresh database
    fresh = [ThreadPoolExecutor(4, thread_name_prefix="test-api"), ThreadPoolExecutor(4, thread_name_prefix="test-slow")]
    monkeypatch.setattr(protocol, "THREADS", fresh[0])
    monkeypatch.setattr(protocol, "SLOW_THREADS", fresh[1])
    with django_db_blocker.unblock(), using_database(f"sqlite:///{target}", tmp_path):
        yield target
        for executor in fresh:
            executor.shutdown(wait=True)


# --- the server -----------------------------------------------------------

@pytest.fixture(scope="session")
def live_api():
    """One live server for the session (WSGI, threaded: the async view runs under
    it too). Each request gets a new thread, hence a new connection to whichever
    database the running test set up."""
    thread = LiveServerThread("localhost", static_handler=_static_handler(), port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture
def server(api_db, live_api):
    """The base URL of the live server, on this test's database."""
    return live_api


def _static_handler():
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    return StaticFilesHandler


@pytest.fixture
def runtime(api_db):
    """The runtime, in its own threads, for as long as the test runs."""
    from designer import runtime as rt

    running = rt.Runtime(poll_seconds=0.05).start()
    yield running
    running.stop()


# --- people and their keys -----------------------------------------------------

@pytest.fixture
def users_db(api_db):
    """alice, bob and carol (tests/conftest.py) are made in the server's database, committed: `db`'s
    transaction would hide them from the server's threads."""


@pytest.fixture
def credentials():
    """credentials(user) -> (access key id, secret), a new key each time."""
    def issue(user):
        key, secret = access_keys.issue(user)
        return key.access_key_id, secret
    return issue


@pytest.fixture
def client_for(server, credentials):
    """client_for(user or (id, secret), region=..., **config) -> a boto3 Step Functions client.

    Every answer it gets is checked against botocore's service model (members,
    types, required members, enums): a test fails on a response shaped unlike AWS's."""
    def make(who, region=REGION, **options):
        key_id, secret = who if isinstance(who, tuple) else credentials(who)
        client = boto3.client(
            "stepfunctions", endpoint_url=server, region_name=region,
            aws_access_key_id=key_id, aws_secret_access_key=secret,
            config=Config(inject_host_prefix=False, retries={"max_attempts": 1, "mode": "standard"},
                          read_timeout=70, **options))
        client.meta.events.register("after-call.sfn", check_response_shape)
        return client
    return make


def check_response_shape(http_response, model, **kwargs):
    if http_response.status_code != 200 or model.output_shape is None:
        return
    from botocore.validate import ParamValidator

    body = json.loads(http_response.content or b"{}")
    problems = []
    value = _as_botocore_input(model.output_shape, body, model.name, problems)
    report = ParamValidator().validate(value, model.output_shape)
    if report.has_errors():
        problems.append(report.generate_report())
    assert not problems, f"{model.name} answered unlike AWS: {problems}"


def _as_botocore_input(shape, value, path, problems):
    """The raw JSON with timestamps as datetimes (what ParamValidator takes); enum values checked."""
    from datetime import datetime, timezone

    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _as_botocore_input(shape.members[k], v, f"{path}.{k}", problems) if k in shape.members else v
                for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_as_botocore_input(shape.member, v, f"{path}[]", problems) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _as_botocore_input(shape.value, v, f"{path}.{k}", problems) for k, v in value.items()}
    if shape.type_name == "timestamp":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: a timestamp is epoch seconds, not {value!r}")
            return value
        return datetime.fromtimestamp(value, timezone.utc)
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    return value


@pytest.fixture
def sfn(client_for, alice):
    return client_for(alice)


@pytest.fixture
def create(sfn):
    """create(name, definition=PASS, **members) -> the new state machine's ARN (alice's)."""
    def make(name, definition=PASS, **members):
        members.setdefault("roleArn", ROLE)
        return sfn.create_state_machine(name=name, definition=definition, **members)["stateMachineArn"]
    return make


# --- hand-made requests -----------------------------------------------------------

@pytest.fixture
def post(server, credentials, alice):
    """post(target, body, ...) -> an httpx response to a request signed by botocore's
    own signer with alice's key (or `key=(id, secret)`; `key=None` leaves it unsigned).

    sign_url: the URL the client believes it calls (a proxy in front);
    service, region, at (a datetime): what the signature claims;
    headers: sent besides the signed ones; after_signing(headers, body) may spoil them."""
    import httpx
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    default_key = credentials(alice)

    def send(target="AWSStepFunctions.ListStateMachines", body=b"{}", *, key=default_key, sign_url=None,
             service="states", region=REGION, at=None, headers=None, after_signing=None, path="/"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        request_headers = {"Content-Type": "application/x-amz-json-1.0"}
        if target is not None:
            request_headers["X-Amz-Target"] = target
        if key is not None:
            request = AWSRequest(method="POST", url=sign_url or server + path, data=body, headers=request_headers)
            signer = SigV4Auth(Credentials(*key), service, region)
            if at is None:
                signer.add_auth(request)
            else:
                with _clock(at):
                    signer.add_auth(request)
            request_headers = dict(request.headers.items())
        request_headers.update(headers or {})
        if after_signing is not None:
            body = after_signing(request_headers, body) or body
        return httpx.post(server + path, content=body, headers=request_headers, timeout=30)

    return send


@contextmanager
def _clock(at):
    import botocore.auth

    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: at
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = saved

