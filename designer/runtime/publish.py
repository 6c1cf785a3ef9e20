"""Send committed events to the channel layer (websocket viewers).

Groups and messages (the consumers are built on these names):
    execution-{execution.pk}: {"type": "execution.event", "event": {"event": <AWS's event>, "run", ["path"]}}
                              (the viewer's socket packs them: designer/viewer/feed.py)
                              (HistoryEvent.envelope(): what a replay from the store gives)
    machine-{machine.pk}:     {"type": "execution.changed", "execution": Execution.summary()}
    approvals:                {"type": "approval.changed", ...} (designer/approvals.py)
Timestamps are epoch seconds, as in HistoryEvent.to_dict().

Publishing never blocks the runtime and never runs inside a transaction
(the caller uses transaction.on_commit), and what waits to be sent is bounded
(MAX_IN_FLIGHT batches): when the loop that sends falls that far behind, new
batches are dropped (viewers replay what they missed from the store). The messages are sent from one
event loop: the server's (Daphne's, in the embedded default, so the
in-memory layer's queues are used from the loop that reads them), else the
caller's when it runs under async_to_sync/sync_to_async, else a loop thread
of our own (Redis layer in `statelight_worker`).
"""
from __future__ import annotations

import asyncio
import logging
import threading

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

_loop = None
_own_loop = None
_lock = threading.Lock()
MAX_IN_FLIGHT = 1000
_in_flight = 0


def use_loop(loop):
    """Send from `loop` (the serving process's event loop), or None for the default."""
    global _loop
    _loop = loop


def execution_group(execution_id) -> str:
    return f"execution-{execution_id}"


def machine_group(machine_id) -> str:
    return f"machine-{machine_id}"


def step_stored(execution_id, envelopes, machine_id=None, summary=None):
    """Tell the execution's viewers of a stored step's events, and its machine's lists of the
    execution's new summary (`summary()`, called only when a list may be listening) when it
    started, ended or was redriven."""
    messages = [(execution_group(execution_id), {"type": "execution.event", "event": envelope})
                for envelope in envelopes]
    group = machine_group(machine_id)
    if summary is not None and _may_listen(group):
        messages.append((group, {"type": "execution.changed", "execution": summary()}))
    return publish(messages)


def _may_listen(group) -> bool:
    layer = get_channel_layer()
    return not isinstance(layer, InMemoryChannelLayer) or bool(layer.groups.get(group))


def publish(messages):
    """Send [(group, message), ...] in order. Returns a concurrent Future, or None."""
    if not messages:
        return None
    layer = get_channel_layer()
    if layer is None:
        return None
    if isinstance(layer, InMemoryChannelLayer):
        # nobody can be listening on a group this process's layer does not know: skip the sends
        # (a busy runtime makes thousands of events a second, most of them watched by nobody)
        messages = [(group, message) for group, message in messages if layer.groups.get(group)]
        if not messages:
            return None
    if _loop is None and getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None:
        # sync code called from async code: its loop is the one consumers run on
        try:
            async_to_sync(_send)(layer, messages)
        except Exception:
            log.exception("could not publish %d messages", len(messages))
        return None
    loop = _loop if _loop is not None and not _loop.is_closed() else _background_loop()
    global _in_flight
    with _lock:
        if _in_flight >= MAX_IN_FLIGHT:
            log.warning("the event loop is %d batches behind: %d messages dropped", _in_flight, len(messages))
            return None
        _in_flight += 1
    future = asyncio.run_coroutine_threadsafe(_send(layer, messages), loop)
    future.add_done_callback(_sent)
    return future


def _sent(_future):
    global _in_flight
    with _lock:
        _in_flight -= 1


_send_locks = {}  # event loop -> asyncio.Lock


async def _send(layer, messages):
    # Batches are scheduled on the loop in commit order; a layer that yields inside group_send
    # (Redis) would interleave them, so one batch at a time (asyncio.Lock is first come, first served).
    loop = asyncio.get_running_loop()
    lock = _send_locks.get(loop)
    if lock is None:
        for old in [other for other in _send_locks if other.is_closed()]:
            del _send_locks[old]
        lock = _send_locks[loop] = asyncio.Lock()
    async with lock:
        await _send_in_order(layer, messages)


async def _send_in_order(layer, messages):
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # a full channel or a lost Redis: viewers replay from the store
            log.warning("could not publish to %s", group, exc_info=True)


def _background_loop():
    global _own_loop
    with _lock:
        if _own_loop is None or _own_loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="statelight-publish", daemon=True).start()
            _own_loop = loop
        return _own_loop
