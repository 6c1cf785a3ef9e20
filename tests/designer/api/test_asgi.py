"""Under ASGI (Daphne, as `runserver` serves it) long polls wait without stalling the server."""
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

from designer import runtime as rt
from designer.api import keys
from designer.models import Execution

from .conftest import REGION, ROLE, ROOT


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


def test_long_polls_leave_the_server_free(daphne, alice, runtime):
    key, secret = keys.issue(alice)

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
