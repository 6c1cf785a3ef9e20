"""Who answers a task: a Python handler registered for its resource, else the performers
plugged in here (first match wins), else nobody, and the task fails saying how to answer it."""
from __future__ import annotations

import fnmatch
import importlib
import logging
import threading
from dataclasses import replace

from django.conf import settings

from engine.handlers import call_handler, default_registry
from engine.runner import unanswered_cause

from . import handler_logs
from .tasks import SUCCEEDED, WAIT, WAITING, Outcome, TaskRequest, failed, succeeded

log = logging.getLogger(__name__)

_performers: list = []  # [(matcher, performer)], first match wins
_performers_lock = threading.Lock()


def register(matcher, performer, *, first: bool = False):
    """Answer the resources `matcher` accepts with `performer(request) -> Outcome`.

    `matcher` is an ARN or fnmatch pattern (matched against the resource
    without its .sync/.waitForTaskToken suffix) or a callable(request) -> bool.
    `first=True` puts it before the built-in performers. Registering a performer again changes nothing.
    """
    with _performers_lock:
        entry = (matcher, performer)
        if entry in _performers:
            return performer
        if first:
            _performers.insert(0, entry)
        else:
            _performers.append(entry)
    return performer


def unregister(performer):
    with _performers_lock:
        _performers[:] = [entry for entry in _performers if entry[1] is not performer]


def _matches(matcher, request: TaskRequest) -> bool:
    if callable(matcher):
        return bool(matcher(request))
    return fnmatch.fnmatchcase(request.resource_arn, matcher)


def find_performer(request: TaskRequest):
    with _performers_lock:
        entries = list(_performers)
    for matcher, performer in entries:
        if _matches(matcher, request):
            return performer
    return None


def find_handler(request: TaskRequest):
    """The Python handler registered for the resource (full resource first, then without its suffix)."""
    load_handlers()
    handler = default_registry.find(request.resource, request.input)
    if handler is None and request.resource_arn != request.resource:
        handler = default_registry.find(request.resource_arn, request.input)
    return handler


def perform(request: TaskRequest) -> Outcome:
    """Answer one task attempt. Never raises: a crash is the task's failure."""
    try:
        outcome = _perform(request)
    except Exception as e:  # a resource's bug fails the task, not the worker
        log.exception("task resource %s crashed", request.resource)
        outcome = failed("States.TaskFailed", f"The resource {request.resource} raised {type(e).__name__}: {e}")
    logs = outcome.logs
    if request.pattern == "wait_for_task_token" and outcome.kind == SUCCEEDED:
        # invoked; the answer comes with the token
        outcome = WAIT
    if outcome.kind == WAITING and not request.durable:
        outcome = failed("States.Runtime", f"The resource {request.resource} waits for an answer from outside "
                                           "(a task token, an activity or a child execution), which Express "
                                           "workflows do not support.")
    return replace(outcome, logs=logs) if logs is not None and outcome.logs is None else outcome


def _perform(request: TaskRequest) -> Outcome:
    handler = find_handler(request)
    if handler is not None:
        with handler_logs.capture() as captured:
            outcome = call_handler(handler, request.resource_arn, request.input, request.task_context())
        answer = succeeded(outcome[1]) if outcome[0] == "ok" else failed(outcome[1], outcome[2])
        return replace(answer, logs=captured.result())
    performer = find_performer(request)
    if performer is not None:
        return performer(request)
    return failed("States.TaskFailed", unanswered(request))


def unanswered(request: TaskRequest) -> str:
    return unanswered_cause(request.resource, request.input).replace(
        "register a handler with @engine.task_handler(...)",
        "register a handler with @engine.task_handler(...) in a module named by the STATELIGHT_HANDLERS setting")


# --- handler modules ----------------------------------------------------------

_handlers_loaded = False
_handlers_lock = threading.Lock()


def load_handlers(force: bool = False):
    """Import the STATELIGHT_HANDLERS modules once per process (their decorators register handlers)."""
    global _handlers_loaded
    if _handlers_loaded and not force:
        return
    with _handlers_lock:
        if _handlers_loaded and not force:
            return
        for name in getattr(settings, "STATELIGHT_HANDLERS", []):
            try:
                importlib.import_module(name)
            except Exception:
                # a broken handler module must not stop the runtime: its tasks fail with a clear cause
                log.exception("could not import the handler module %s (STATELIGHT_HANDLERS)", name)
        _handlers_loaded = True
