"""Websockets for the live pages: one execution's history, a machine's executions.

Every socket speaks JSON objects with a "type". The server sends:

    execution socket   {"type": "events", "events": [...]}   stored events after the client's last id, and
                                                              new ones as the runtime commits them
                       {"type": "tasks"}                      pending tasks changed: fetch them again
    executions socket  {"type": "executions", "executions": [...]}  the latest ones, on connect
                       {"type": "execution", "execution": {...}}    one started / ended / redriven

and the execution socket accepts {"type": "replay", "after": N}: the browser
asks for it when it sees a hole in the ids (a channel layer may drop
messages under load). Events are GetExecutionHistory's, timestamps in epoch
seconds (HistoryEvent.to_dict()).

Order on connect: refuse (close before accept) whoever may not see the
page, join the group, accept, then replay from the store. Joined first,
replayed second: a race gives a duplicate (the browser drops it by id),
never a hole. An execution's viewers in one process share one membership
of its group (ExecutionFeed): an event is received and encoded once there.
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from designer import access
from designer.models import Execution, HistoryEvent
from designer.runtime.publish import execution_group, machine_group

REPLAY_CHUNK = 1000  # events per message when replaying from the store
LIST_LENGTH = 100


def _user(scope):
    user = scope.get("user")
    return user if user is not None and user.is_authenticated and user.is_active else None


def may_see_execution(user, execution_id) -> bool:
    return user is not None and access.executions_for(user).filter(pk=execution_id).exists()


def may_see_machine(user, machine_id) -> bool:
    return user is not None and access.machines_for(user).filter(pk=machine_id).exists()


class ExecutionFeed:
    """One subscription to an execution's group per process (per event loop), shared by all its
    viewers in this process: each event is received from the channel layer and encoded once,
    and whatever arrives while frames are being written goes out together in the next frame.
    Batches grow only under load (a quiet execution's events go out one by one, at once), so
    hundreds of viewers cost one layer message and a few frames per step, not one per event each.
    """

    feeds = {}  # (event loop, execution id) -> ExecutionFeed
    YIELD_EVERY = 50  # viewers written between two turns of the loop
    BREATHER_AFTER = 0.002  # seconds of writing after which a pass rests as long as it took...
    BREATHER = 0.05  # ...but never longer than this

    def __init__(self, key, layer, group):
        self.key, self.layer, self.group = key, layer, group
        self.viewers = set()
        self.pending = []
        self.tasks_changed = False
        self.channel = None
        self.reader = None
        self.writer = None

    @classmethod
    async def subscribe(cls, execution_id, layer) -> "ExecutionFeed":
        """The feed of this execution, subscribed to its group once this returns."""
        key = (asyncio.get_running_loop(), execution_id)
        feed = cls.feeds.get(key)
        if feed is None:
            feed = cls.feeds[key] = cls(key, layer, execution_group(execution_id))
            feed.channel = await layer.new_channel()
            await layer.group_add(feed.group, feed.channel)
            feed.reader = asyncio.ensure_future(feed.read())
        return feed

    async def leave(self, viewer):
        self.viewers.discard(viewer)
        if self.viewers or self.feeds.get(self.key) is not self:
            return
        del self.feeds[self.key]
        self.reader.cancel()
        await self.layer.group_discard(self.group, self.channel)

    async def read(self):
        while True:
            message = await self.layer.receive(self.channel)
            if message.get("type") == "execution.event":
                self.pending.append(message["event"])
            elif message.get("type") == "execution.tasks":
                self.tasks_changed = True
            if self.writer is None or self.writer.done():
                self.writer = asyncio.ensure_future(self.write())

    async def write(self):
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0)  # the reader takes what is queued already: it goes in this frame
        while self.pending or self.tasks_changed:
            started = loop.time()
            frames = []
            if self.pending:
                frames.append(json.dumps({"type": "events", "events": self.pending}, separators=(",", ":")))
                self.pending = []
            if self.tasks_changed:
                frames.append('{"type":"tasks"}')
                self.tasks_changed = False
            for i, viewer in enumerate(list(self.viewers)):
                for text in frames:
                    try:
                        await viewer.send(text_data=text)
                    except Exception:  # a viewer gone meanwhile; the others still get it
                        pass
                if i % self.YIELD_EVERY == self.YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            # Writing to many viewers takes a while: rest as long before the next pass (at most
            # BREATHER), so the events meanwhile go out together and the server keeps half its
            # time for the runtime and the pages. A handful of viewers never waits.
            spent = loop.time() - started
            if spent > self.BREATHER_AFTER:
                await asyncio.sleep(min(spent, self.BREATHER))


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    """ws/executions/<pk>/?last_event_id=N: the execution's history, replayed then live."""

    async def connect(self):
        self.execution_id = self.scope["url_route"]["kwargs"]["pk"]
        self.feed = None
        if not await database_sync_to_async(may_see_execution)(_user(self.scope), self.execution_id):
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
            return max(0, int(query.get("last_event_id", ["0"])[0]))
        except ValueError:
            return 0

    async def disconnect(self, code):
        if self.feed is not None:
            await self.feed.leave(self)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "replay":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                await self.replay(after)

    async def replay(self, after: int):
        while True:
            events = await database_sync_to_async(self._stored_after)(after)
            if not events:
                return
            await self.send_json({"type": "events", "events": events})
            if len(events) < REPLAY_CHUNK:
                return
            after = events[-1]["id"]

    def _stored_after(self, after: int) -> list[dict]:
        rows = HistoryEvent.objects.filter(execution_id=self.execution_id, event_id__gt=after).order_by("event_id")
        return [row.to_dict() for row in rows[:REPLAY_CHUNK]]


class ExecutionsConsumer(AsyncJsonWebsocketConsumer):
    """ws/machines/<pk>/executions/: a machine's executions list, live."""

    async def connect(self):
        self.machine_id = self.scope["url_route"]["kwargs"]["pk"]
        self.group = None
        if not await database_sync_to_async(may_see_machine)(_user(self.scope), self.machine_id):
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
