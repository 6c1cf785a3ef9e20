"""Fixtures for the runtime: machines, an inline runtime (drained in the test's own thread),
a fake clock, and a file-backed database for tests with threads."""
import os
import uuid

import pytest

from designer.runtime import Runtime
from tests.helpers import FakeClock, make_machine, migrated_sqlite, using_database


@pytest.fixture
def machine(alice):
    """machine(name, definition, type="STANDARD") -> StateMachine owned by alice."""
    return lambda name, definition, **options: make_machine(alice, name, definition, **options)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def worker():
    """A runtime whose rounds run in the test's thread (tasks included): runtime.drain()."""
    return Runtime(inline_tasks=True, worker_id=f"test:{os.getpid()}:inline:{uuid.uuid4().hex[:6]}")


@pytest.fixture
def file_db(tmp_path, django_db_blocker):
    """A migrated file-backed SQLite database as the default database (threads may share it)."""
    url = migrated_sqlite(tmp_path)
    with django_db_blocker.unblock(), using_database(url, tmp_path):
        yield url
