"""ws/approvals/: the connected user's approval inbox, kept current.

On connect: {"type": "inbox", "count", "cards": [{"id", "html"}], "decided": [row html]}, then
what changes (cards.Inbox.changes()): {"type": "opened", "id", "html", "count"} for a card that
opened, {"type": "closed", "id", "count", "decided": row html or null} for one that closed.

An approval changes when it opens or is decided (group "approvals", notify.py), and when its
task ends without a decision (a timeout, a stopped execution): for that the consumer also
listens to the executions of the cards it shows. A burst of changes is looked at once.
"""
from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from designer import access
from designer.runtime.publish import execution_group

from .cards import Inbox
from .notify import APPROVALS_GROUP
from .policy import can_decide

# events after which an approval of that execution may have closed without a decision
CLOSING_EVENTS = {"TaskFailed", "TaskTimedOut", "TaskSucceeded", "TaskStateAborted", "ExecutionSucceeded",
                  "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
BURST_SECONDS = 0.05


class ApprovalsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = access.socket_user(self.scope)
        self.inbox = None
        self.executions = set()
        self.looking = None
        if user is None:
            await self.close()
            return
        # the cards' forms post with the CSRF cookie's value (Django accepts the unmasked secret)
        self.inbox = Inbox(user, self.scope.get("cookies", {}).get("csrftoken", ""))
        await self.channel_layer.group_add(APPROVALS_GROUP, self.channel_name)
        await self.accept()
        await self.send_json(await database_sync_to_async(self.inbox.everything)())
        await self._follow_executions()

    async def disconnect(self, code):
        if self.inbox is None:
            return
        if self.looking is not None:
            self.looking.cancel()
        await self.channel_layer.group_discard(APPROVALS_GROUP, self.channel_name)
        for execution_id in self.executions:
            await self.channel_layer.group_discard(execution_group(execution_id), self.channel_name)

    async def approval_changed(self, message):
        if message.get("approval") in self.inbox.shown or await database_sync_to_async(can_decide)(
                self.inbox.user, {"approvers": message.get("approvers")}):
            self._look_soon()

    async def execution_event(self, message):
        if message["event"]["event"]["type"] in CLOSING_EVENTS:
            self._look_soon()

    async def execution_tasks(self, message):
        self._look_soon()

    def _look_soon(self):
        if self.looking is None or self.looking.done():
            self.looking = asyncio.ensure_future(self._look())

    async def _look(self):
        await asyncio.sleep(BURST_SECONDS)
        for change in await database_sync_to_async(self.inbox.changes)():
            await self.send_json(change)
        await self._follow_executions()

    async def _follow_executions(self):
        executions = await database_sync_to_async(self.inbox.executions)()
        for execution_id in executions - self.executions:
            await self.channel_layer.group_add(execution_group(execution_id), self.channel_name)
        for execution_id in self.executions - executions:
            await self.channel_layer.group_discard(execution_group(execution_id), self.channel_name)
        self.executions = executions
