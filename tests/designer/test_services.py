"""The scale-out configuration against real services (.ci/run sets their URLs)."""

import os
import uuid

import pytest
from django.db.utils import ConnectionHandler
from django.utils.module_loading import import_string

from statelight import config

POSTGRES_URL = os.environ.get("STATELIGHT_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("STATELIGHT_TEST_REDIS_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="STATELIGHT_TEST_POSTGRES_URL is not set (.ci/run sets it)")
def test_it_connects_to_postgres_from_a_database_url(tmp_path, django_db_blocker):
    connection = ConnectionHandler({"default": config.database_config(POSTGRES_URL, tmp_path)})["default"]
    with django_db_blocker.unblock():  # a private connection, not the test database
        try:
            assert connection.vendor == "postgresql"
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 + 1")
                assert cursor.fetchone()[0] == 2
        finally:
            connection.close()


@pytest.mark.skipif(not REDIS_URL, reason="STATELIGHT_TEST_REDIS_URL is not set (.ci/run sets it)")
async def test_it_sends_group_messages_through_redis():
    settings = config.channel_layers(REDIS_URL)["default"]
    layer = import_string(settings["BACKEND"])(**settings["CONFIG"])
    group = f"test-{uuid.uuid4().hex}"
    channel = await layer.new_channel()
    try:
        await layer.group_add(group, channel)
        await layer.group_send(group, {"type": "execution.event", "id": 1})
        assert await layer.receive(channel) == {"type": "execution.event", "id": 1}
    finally:
        await layer.group_discard(group, channel)
        await layer.close_pools()
