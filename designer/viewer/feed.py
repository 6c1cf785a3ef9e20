"""One subscription to an execution's channel-layer group per process, shared by all its viewers.

A hundred people watching one execution cost one layer message per event and a few frames per
step, not a hundred of each: the feed receives each event once, encodes it once, and sends
whatever gathered while it was writing in one frame. Batches grow only under load.
"""
from __future__ import annotations

import asyncio
import json

from designer.runtime.publish import execution_group


def events_message(envelopes) -> dict:
    """Stored events (HistoryEvent.envelope()s, in id order) as the execution socket and the history
    endpoint send them: AWS's events as GetExecutionHistory gives them, and where each happened
    beside it, compactly (a hundred viewers get every byte): runs[i] is events[i]'s state run, and
    paths the frame path of each run opened among them, by the id of its *StateEntered."""
    return {"type": "events", "events": [envelope["event"] for envelope in envelopes],
            "runs": [envelope["run"] for envelope in envelopes],
            "paths": {envelope["event"]["id"]: envelope["path"] for envelope in envelopes if "path" in envelope}}


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
                frames.append(json.dumps(events_message(self.pending), separators=(",", ":")))
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
