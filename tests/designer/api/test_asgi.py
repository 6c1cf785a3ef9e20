"""Under ASGI (Daphne, as `runserver` serves it): long polls wait without stalling the server,
and POST / takes the API's shortcut past Django's middleware."""
import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time

import boto3
import httpx
import pytest
from botocore.config import Config

from designer import access_keys
from designer import runtime as rt
from designer.models import Execution
from tests.helpers import ROOT

from .aws import REGION, ROLE


def established(port: int) -> int:
    """How many TCP connections to `port` are established (Linux: /proc/net/tcp)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                count += 1
    return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def daphne(api_db, tmp_path):
    """The base URL of a Daphne process serving statelight.asgi on this test's database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{api_db}", "STATELIGHT_RUNTIME_EMBEDDED": "0"}
    log = open(tmp_path / "daphne.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                "statelight.asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/healthz", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "daphne.log").read_text())
            time.sleep(0.05)
    yield url
    process.kill()  # Daphne would wait out the long polls still open
    process.wait(10)
    log.close()


def test_it_keeps_answering_while_long_polls_wait(daphne, alice, runtime):
    key, secret = access_keys.issue(alice)

    def client():
        return boto3.client("stepfunctions", endpoint_url=daphne, region_name=REGION,
                            aws_access_key_id=key.access_key_id, aws_secret_access_key=secret,
                            config=Config(read_timeout=70, retries={"max_attempts": 1}))

    sfn = client()
    activity = sfn.create_activity(name="slow")["activityArn"]
    pollers, answers = 12, []
    port = int(daphne.rsplit(":", 1)[1])
    connected_before = established(port)

    def poll(worker):
        try:
            answers.append(worker.get_activity_task(activityArn=activity))
        except Exception:  # the server is killed under the polls still waiting at the end
            pass

    threads = [threading.Thread(target=poll, args=(client(),), daemon=True) for _ in range(pollers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while established(port) < connected_before + pollers and time.monotonic() < deadline:
        time.sleep(0.02)
    assert established(port) >= connected_before + pollers, "the polls never reached the server"
    time.sleep(0.3)  # connected: let their requests reach the view and start waiting (60 s each)
    begun = time.monotonic()
    for _ in range(20):
        assert sfn.list_activities()["activities"]
    assert time.monotonic() - begun < 5
    # and one of the waiting polls gets a task as soon as there is one
    machine = sfn.create_state_machine(name="m", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": activity, "End": True}}}))
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 1}')
    deadline = time.monotonic() + 10
    while not answers and time.monotonic() < deadline:
        time.sleep(0.02)
    [answer] = answers
    assert json.loads(answer["input"]) == {"n": 1}
    sfn.send_task_success(taskToken=answer["taskToken"], output="{}")
    assert rt.wait_for_execution(Execution.objects.get(arn=started["executionArn"]), timeout=10).status == "SUCCEEDED"


# --- the shortcut past Django's middleware (designer/api/asgi.py), called in-process ------------------

async def asgi_call(method, path, body=b"", headers=(), root_path=""):
    """(status, headers, body) of one request to statelight.asgi's application."""
    from statelight.asgi import application

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": root_path,
             "query_string": b"", "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
             "client": ("127.0.0.1", 1), "server": ("localhost", 80), "scheme": "http", "http_version": "1.1",
             "asgi": {"version": "3.0"}}
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)] or [b""]
    sent = []

    async def receive():
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    start = sent[0]
    return start["status"], {k.lower(): v for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def signed_headers(alice):
    """signed_headers(body, url=...) -> the headers botocore signs a request with, with alice's key
    (issued here, in the test's thread: the async tests run where the database is another's)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key, secret = access_keys.issue(alice)

    def sign(body, url="http://localhost/", target="AWSStepFunctions.ListActivities"):
        request = AWSRequest(method="POST", url=url, data=body,
                             headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(Credentials(key.access_key_id, secret), "states", REGION).add_auth(request)
        return list(request.headers.items()) + [("Host", "localhost")]
    return sign


@pytest.fixture
def sync_db(api_db, settings):
    # the shortcut runs the database work in a worker thread: the test's rows must be committed
    settings.ALLOWED_HOSTS = ["localhost"]


async def test_it_answers_signed_api_calls_past_django(sync_db, signed_headers):
    status, headers, body = await asgi_call("POST", "/", b"{}", signed_headers(b"{}"))
    assert (status, json.loads(body)) == (200, {"activities": []})
    assert headers[b"content-type"] == b"application/x-amz-json-1.0"
    assert headers[b"x-amzn-requestid"]


async def test_it_leaves_everything_else_to_django(sync_db):
    status, headers, _ = await asgi_call("GET", "/")
    assert (status, headers[b"location"]) == (302, b"/accounts/login/?next=/")
    status, _, _ = await asgi_call("POST", "/keys/", b"description=x",
                                   [("Content-Type", "application/x-www-form-urlencoded")])
    assert status in (302, 403)  # Django's: login redirect or CSRF failure, not the API


async def test_it_refuses_an_oversized_body_past_django_in_aws_shape(sync_db):
    status, _, body = await asgi_call("POST", "/", b"x" * (16 * 1024 * 1024 + 10),
                                      [("X-Amz-Target", "AWSStepFunctions.ListActivities")])
    assert status == 400
    assert json.loads(body)["__type"].endswith("#ValidationException")


async def test_it_answers_unsigned_and_untargeted_posts_past_django(sync_db):
    status, _, body = await asgi_call("POST", "/", b"{}", [("X-Amz-Target", "AWSStepFunctions.ListActivities")])
    assert (status, json.loads(body)["__type"]) == (400, "com.amazon.coral.service#MissingAuthenticationTokenException")
    status, _, body = await asgi_call("POST", "/", b"{}")
    assert (status, json.loads(body)["__type"]) == (400, "com.amazon.coral.service#UnknownOperationException")


async def test_it_verifies_a_root_path_past_django(sync_db, signed_headers):
    # a proxy serves Statelight under /statelight and tells the ASGI server (root_path)
    headers = signed_headers(b"{}", url="http://localhost/statelight/")
    status, _, body = await asgi_call("POST", "/statelight/", b"{}", headers, root_path="/statelight")
    assert status == 200, body
    status, _, body = await asgi_call("POST", "/", b"{}", headers, root_path="/statelight")  # path without it
    assert status == 200, body
