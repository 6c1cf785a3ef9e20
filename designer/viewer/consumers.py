"""Websockets for the live pages: one execution's history, a machine's executions.

Every socket speaks JSON objects with a "type". The server sends:

    execution socket   {"type": "events", "events": [...], "runs": [...], "paths": {...}}
                                           stored events after the client's last id, and new ones as
                                           the runtime commits them (feed.events_message())
                       {"type": "tasks"}                      pending tasks changed: fetch them again
    executions socket  {"type": "executions", "executions": [...]}  the latest ones, on connect
                       {"type": "execution", "execution": {...}}    one started / ended / redriven

and the execution socket accepts {"type": "replay", "after": N}: the browser
asks for it when it sees a hole in the ids (a channel layer may drop
messages under load). Each event is GetExecutionHistory's (timestamps in epoch
seconds); beside it, where it happened: its state run, and the frame path of
each run opened among them.

Order on connect: refuse (close before accept) whoever may not see the
page, join the group, accept, then replay from the store. Joined first,
replayed second: a race gives a duplicate (the browser drops it by id),
never a hole. An execution's viewers in one process share one membership
of its group (ExecutionFeed): an event is received and encoded once there.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from designer import access, payloads
from designer.models import Execution, HistoryEvent
from designer.runtime.publish import machine_group

from .feed import ExecutionFeed, events_message

REPLAY_CHUNK = 1000  # events per message when replaying from the store
# no history comes near it, and a database column can hold it (SQLite refuses an int past 2**63)
MAX_EVENT_ID = 2**62
LIST_LENGTH = 100


def may_see_execution(user, execution_id) -> bool:
    return user is not None and access.executions_for(user).filter(pk=execution_id).exists()


def may_see_machine(user, machine_id) -> bool:
    return user is not None and access.machines_for(user).filter(pk=machine_id).exists()


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    """ws/executions/<pk>/?last_event_id=N: the execution's history, replayed then live."""

    async def connect(self):
        self.execution_id = self.scope["url_route"]["kwargs"]["pk"]
        self.feed = None
        if not await database_sync_to_async(may_see_execution)(access.socket_user(self.scope), self.execution_id):
            await self.close()  # refused before accept: the handshake fails with 403
            return
        # subscribed first, replayed second: a race gives a duplicate, never a hole
        self.feed = await ExecutionFeed.subscribe(self.execution_id, self.channel_layer)
        await self.accept()
        self.feed.viewers.add(self)
        await self.replay(self._last_event_id())

    def _last_event_id(self) -> int:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return min(max(0, int(query.get("last_event_id", ["0"])[0])), MAX_EVENT_ID)
        except ValueError:
            return 0

    @classmethod
    async def decode_json(cls, text_data):
        """A message the browser would never send (too deep, not JSON) is ignored, like an unknown one."""
        try:
            return payloads.loads(text_data, what="The message")
        except payloads.InvalidPayload:
            return None

    async def disconnect(self, code):
        if self.feed is not None:
            await self.feed.leave(self)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "replay":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                await self.replay(min(after, MAX_EVENT_ID))

    async def replay(self, after: int):
        while True:
            envelopes = await database_sync_to_async(self._stored_after)(after)
            if not envelopes:
                return
            await self.send_json(events_message(envelopes))
            if len(envelopes) < REPLAY_CHUNK:
                return
            after = envelopes[-1]["event"]["id"]

    def _stored_after(self, after: int) -> list[dict]:
        rows = HistoryEvent.objects.filter(execution_id=self.execution_id, event_id__gt=after).order_by("event_id")
        return [row.envelope() for row in rows[:REPLAY_CHUNK]]


class ExecutionsConsumer(AsyncJsonWebsocketConsumer):
    """ws/machines/<pk>/executions/: a machine's executions list, live."""

    async def connect(self):
        self.machine_id = self.scope["url_route"]["kwargs"]["pk"]
        self.group = None
        if not await database_sync_to_async(may_see_machine)(access.socket_user(self.scope), self.machine_id):
            await self.close()
            return
        self.group = machine_group(self.machine_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "executions", "executions": await database_sync_to_async(self._latest)()})

    def _latest(self) -> list[dict]:
        rows = Execution.objects.filter(machine_id=self.machine_id).order_by("-started_at", "-id")[:LIST_LENGTH]
        return [row.summary() for row in rows]

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def execution_changed(self, message):
        await self.send_json({"type": "execution", "execution": message["execution"]})
