"""The scale-out commands of the README, run as written: on PostgreSQL and Redis, the web server
(scripts/run with STATELIGHT_RUNTIME_EMBEDDED=0) and workers (scripts/worker 2); /healthz says
when executions wait for a worker, and that they no longer do once the workers run."""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import boto3
import httpx
import psycopg
import pytest
from botocore.config import Config

from tests.helpers import POSTGRES_URL, ROOT
from tests.runserver import free_port

REDIS_URL = os.environ.get("STATELIGHT_TEST_REDIS_URL")

pytestmark = pytest.mark.skipif(not (POSTGRES_URL and REDIS_URL),
                                reason="STATELIGHT_TEST_POSTGRES_URL and STATELIGHT_TEST_REDIS_URL are not set "
                                       "(.ci/run sets them)")


@contextmanager
def new_postgres_database():
    """An empty database beside STATELIGHT_TEST_POSTGRES_URL's, as `createdb` makes one; its URL."""
    name = f"statelight_scripts_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def until(check, what, timeout=120):
    """Wait for a state that stays once reached (no assertion on how long it takes)."""
    deadline = time.monotonic() + timeout
    while (value := check()) is None or value is False:
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)
    return value


def started(command, env, log):
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stopped(process, sig=signal.SIGTERM) -> int:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        return process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(10)


def test_a_web_server_without_its_runtime_and_two_workers_as_the_readme_starts_them(tmp_path):
    port = free_port()
    with new_postgres_database() as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "PORT": str(port),
               "STATELIGHT_RUNTIME_EMBEDDED": "0", "DJANGO_SECRET_KEY": "scripts-test",
               "DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": "admin-password"}
        base = f"http://127.0.0.1:{port}"

        def health():
            try:
                return httpx.get(f"{base}/healthz", timeout=2).json()
            except httpx.HTTPError:
                return None

        web = started(["scripts/run"], env, tmp_path / "web.log")
        workers = None
        try:
            assert until(health, "the web server")["runtime"] == "none"
            keys = subprocess.run([sys.executable, "manage.py", "create_access_key", "admin"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True).stdout
            key_id, secret = (line.split("=", 1)[1] for line in keys.splitlines())
            sfn = boto3.client("stepfunctions", endpoint_url=base, region_name="us-east-1",
                               aws_access_key_id=key_id, aws_secret_access_key=secret,
                               config=Config(inject_host_prefix=False))
            # scripts/run loaded the examples
            arn = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
                       if m["name"] == "two_tasks")
            execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"order": 1}))["executionArn"]
            waiting = health()
            assert (waiting["runtime"], waiting["waitingExecutions"]) == ("waiting-for-worker", 1)
            assert "scripts/worker" in waiting["message"]

            workers = started(["scripts/worker", "2"], env, tmp_path / "workers.log")
            until(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED",
                  "the workers to run the execution")
            assert until(lambda: health()["runtimes"] == 2 or None, "both workers' heartbeats")
            assert health()["runtime"] == "ok"

            assert stopped(workers) == 0  # SIGTERM (or Ctrl-C): each worker hands its work back and stops
            assert (tmp_path / "workers.log").read_text().count("stopped.") == 2
            assert health()["runtime"] == "none"
        finally:
            if workers is not None:
                stopped(workers)
            stopped(web)
