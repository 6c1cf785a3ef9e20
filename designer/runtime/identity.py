"""Who a worker is, and whether a worker's process is gone: worker ids are
host:pid:namespace:nonce, so a worker can tell that a lease or a task claim
belongs to a process of this machine that died, and take it over at once
(another machine's dead worker is taken over when its lease runs out)."""
from __future__ import annotations

import hashlib
import os
import socket
import uuid

from django.conf import settings


def _namespace() -> str:
    """This machine's boot and process namespace: two containers with the same host name differ."""
    parts = []
    for path in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        try:
            parts.append(open(path).read().strip() if "boot_id" in path else str(os.stat(path).st_ino))
        except OSError:
            parts.append("-")
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:8]


# STATELIGHT_RUNTIME_HOST names this machine in worker ids (default: the host name); workers
# that share a name and a process namespace take over each other's dead processes at once.
HOST = (getattr(settings, "STATELIGHT_RUNTIME_HOST", "") or socket.gethostname()).replace(":", "-")[:60] or "host"
NAMESPACE = _namespace()


def make_worker_id() -> str:
    """host:pid:namespace:nonce, so a worker on this machine can tell that another one's process is gone."""
    return f"{HOST}:{os.getpid()}:{NAMESPACE}:{uuid.uuid4().hex[:8]}"


_process_worker_id = None


def process_worker_id() -> str:
    global _process_worker_id
    if _process_worker_id is None or _process_worker_id.split(":")[1] != str(os.getpid()):
        _process_worker_id = make_worker_id()
    return _process_worker_id


def owner_is_dead(owner: str) -> bool:
    """True only when the owner is a worker of a process of this machine that no longer runs."""
    parts = owner.split(":")
    if len(parts) < 4 or parts[0] != HOST or parts[2] != NAMESPACE or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
