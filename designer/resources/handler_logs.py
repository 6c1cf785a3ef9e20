"""What a Python handler logs and prints while it answers one task attempt.

`with capture() as captured:` around one handler call collects, for the
calling thread only, every `logging` record at STATELIGHT_TASK_LOG_LEVEL
(default INFO) or above from any logger that propagates to the root, and the
lines written to sys.stdout / sys.stderr; `captured.result()` is then
{"lines": [{"time", "level", "logger", "message"}, ...], "dropped": n} (None
when nothing was logged). Bounded: the last MAX_LINES lines and MAX_BYTES of
text; `dropped` counts the older lines that were let go.

Which call a record or a print belongs to is a context variable, set for the
call in its own thread: the worker pool runs many handlers at once, and a
thread never sees another thread's lines. Nothing is swapped per call. Once
per process (again if something replaces them), this module puts in place:

- a handler on the root logger that keeps a record only in a capturing
  context. When the root's level was above the capture level it is lowered
  to it, and the root's handlers of that moment get a filter that lets
  through only what reached them before, so the console does not change;
- a router around sys.stdout and sys.stderr that copies what a capturing
  context writes and passes every write through unchanged.

Capturing never fails a task: whatever goes wrong here, the handler runs and
its lines are simply not kept.
"""
from __future__ import annotations

import contextvars
import logging
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager

from django.conf import settings

log = logging.getLogger(__name__)

MAX_LINES = 200
MAX_BYTES = 64 * 1024
MAX_LINE_CHARS = 8 * 1024
TRUNCATED = " … (truncated)"

_current: contextvars.ContextVar[Capture | None] = contextvars.ContextVar("statelight_handler_logs", default=None)
_install_lock = threading.Lock()


class Capture:
    """The lines of one handler call, oldest first, bounded."""

    def __init__(self, level: int = logging.INFO, max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES):
        self.level = level
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.lines = deque()  # (size in bytes, line)
        self.size = 0
        self.dropped = 0
        self._partial = {}  # stream name -> text written without its newline yet

    def add(self, level: str, logger: str, message: str, at: float):
        if len(message) > MAX_LINE_CHARS:
            message = message[:MAX_LINE_CHARS] + TRUNCATED
        # storable anywhere: no lone surrogates, no NUL (PostgreSQL's jsonb refuses both)
        encoded = message.encode("utf-8", "replace")
        message = encoded.decode("utf-8").replace("\x00", "\\x00")
        self.lines.append((len(encoded), {"time": at, "level": level, "logger": logger, "message": message}))
        self.size += len(encoded)
        while len(self.lines) > 1 and (len(self.lines) > self.max_lines or self.size > self.max_bytes):
            self.size -= self.lines.popleft()[0]
            self.dropped += 1

    def add_record(self, record: logging.LogRecord):
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is still worth seeing
            message = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            message += "\n" + record.stack_info
        self.add(record.levelname, record.name, message, record.created)

    def write(self, stream: str, text: str):
        text = self._partial.pop(stream, "") + text
        *complete, rest = text.split("\n")
        now = time.time()
        for line in complete:
            self.add(stream.upper(), "", line, now)
        if len(rest) > MAX_LINE_CHARS:
            self.add(stream.upper(), "", rest, now)
        elif rest:
            self._partial[stream] = rest

    def result(self) -> dict | None:
        """{"lines", "dropped"}, or None when nothing was kept (or keeping it went wrong)."""
        try:
            for stream, rest in list(self._partial.items()):
                self.add(stream.upper(), "", rest, time.time())
            self._partial.clear()
            if not self.lines and not self.dropped:
                return None
            return {"lines": [line for _, line in self.lines], "dropped": self.dropped}
        except Exception:
            return None


def capture_level() -> int:
    level = logging.getLevelName(str(getattr(settings, "STATELIGHT_TASK_LOG_LEVEL", "INFO")).upper())
    return level if isinstance(level, int) else logging.INFO


@contextmanager
def capture():
    """Collect what this thread's handler call logs and prints (see the module's docstring)."""
    captured = Capture(capture_level())
    token = None
    try:
        _install(captured.level)
        token = _current.set(captured)
    except Exception:
        log.warning("could not capture a handler's log lines", exc_info=True)
    try:
        yield captured
    finally:
        if token is not None:
            _current.reset(token)


# --- the pieces installed once per process --------------------------------------

class _ToCapture(logging.Handler):
    """On the root logger: keeps a record for the capture of the context that emits it, if any."""

    def handle(self, record):
        captured = _current.get()
        if captured is None or record.levelno < captured.level:
            return False
        try:
            captured.add_record(record)
        except Exception:
            pass
        return True

    def emit(self, record):
        self.handle(record)


class _AsBefore(logging.Filter):
    """On the handlers the root had before its level was lowered: what reached them then, nothing more
    (a record under the root's old level came through only from a logger with a level of its own)."""

    def __init__(self, level: int):
        super().__init__()
        self.level = level

    def filter(self, record):
        if record.levelno >= self.level:
            return True
        loggers, name = logging.root.manager.loggerDict, record.name
        while name:
            logger = loggers.get(name)
            if isinstance(logger, logging.Logger) and logger.level:
                return True
            name = name.rpartition(".")[0]
        return False


class _Router:
    """sys.stdout / sys.stderr: every write goes to the stream it wraps; a capturing context's
    writes are also kept in its capture."""

    def __init__(self, stream, name: str):
        self._stream = stream
        self._name = name

    def write(self, text):
        captured = _current.get()
        if captured is not None and isinstance(text, str):
            try:
                captured.write(self._name, text)
            except Exception:
                pass
        return self._stream.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


_handler = _ToCapture()


def _install(level: int):
    root = logging.getLogger()
    if (_handler in root.handlers and root.getEffectiveLevel() <= level
            and isinstance(sys.stdout, _Router) and isinstance(sys.stderr, _Router)):
        return
    with _install_lock:
        if root.getEffectiveLevel() > level:
            before = root.getEffectiveLevel()
            for handler in root.handlers:
                if handler is not _handler and not any(isinstance(f, _AsBefore) for f in handler.filters):
                    handler.addFilter(_AsBefore(before))
            root.setLevel(level)
        if _handler not in root.handlers:
            root.addHandler(_handler)
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is not None and not isinstance(stream, _Router):
                setattr(sys, name, _Router(stream, name))
