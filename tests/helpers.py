"""What the Django-side tests share (not fixtures: those are in the conftests): the repository's
root, a clock that moves when told, state machines, and real databases for tests whose server
runs in other threads or processes."""
import json
import os
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from asgiref.sync import SyncToAsync
from django.db import connections
from django.db.utils import ConnectionHandler

from designer import accounts, arns
from designer.models import StateMachine
from statelight import config

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("STATELIGHT_TEST_POSTGRES_URL")


class FakeClock:
    """Time that moves when a test says so: Wait states and retries without waiting."""

    def __init__(self, start=1_800_000_000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def make_machine(owner, name, definition, *, type="STANDARD", region="us-east-1") -> StateMachine:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return StateMachine.objects.create(arn=arns.arn("stateMachine", region, name, account=accounts.account_id(owner)), name=name, region=region,
                                       owner=owner, type=type, definition=text)


# --- real databases for threads and processes ------------------------------------

_template = {}


def migrated_sqlite(directory: Path) -> str:
    """A migrated SQLite file in `directory` (copied from one migrated once per session); its URL."""
    if "path" not in _template:
        folder = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"statelight-template-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "template.sqlite3"
        if path.exists():
            path.unlink()
        migrate(f"sqlite:///{path}")
        _template["path"] = path
    target = Path(directory) / "db.sqlite3"
    shutil.copyfile(_template["path"], target)
    return f"sqlite:///{target}"


def migrate(url: str):
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


@contextmanager
def using_database(url: str, base_dir):
    """Point this process's default database (every thread's) at `url` for the duration."""
    settings_dict = ConnectionHandler({"default": config.database_config(url, base_dir)}).settings["default"]
    saved_settings = connections.settings["default"]
    saved_connection = connections["default"]
    connections.settings["default"] = settings_dict
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = saved_settings
        connections["default"] = saved_connection
        _forget_connection_of_asgirefs_thread()


def _forget_connection_of_asgirefs_thread():
    """asgiref runs every thread-sensitive call of the process in one thread: drop the connection it
    may have opened to this database, so later tests' calls there connect to theirs."""
    def forget():
        if hasattr(connections._connections, "default"):
            connections["default"].close()
            del connections["default"]

    SyncToAsync.single_thread_executor.submit(forget).result(10)


@contextmanager
def fresh_postgres_database():
    """A new, migrated PostgreSQL database next to STATELIGHT_TEST_POSTGRES_URL's; its URL. Dropped after."""
    base = POSTGRES_URL.rsplit("/", 1)[0]
    name = f"statelight_rt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
