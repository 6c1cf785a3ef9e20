"""The runtimes alive: each one (the embedded runtime of a web server, or a `manage.py
statelight_worker`) says so every few seconds, so a page can tell that nobody will advance
the executions it shows (designer/health.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from django.db import models

# A row not renewed for this many lease periods is a dead process's: deleted by the next beat.
FORGOTTEN_AFTER_LEASES = 20


class RuntimeHeartbeat(models.Model):
    worker_id = models.CharField(max_length=128, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} at {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, worker_id: str, lease_seconds: float):
        """This runtime is alive now (wall-clock time: other processes read it)."""
        now = datetime.now(timezone.utc)
        cls.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
        cls.objects.filter(seen_at__lt=now - timedelta(seconds=lease_seconds * FORGOTTEN_AFTER_LEASES)).delete()

    @classmethod
    def forget(cls, worker_id: str):
        """This runtime stopped."""
        cls.objects.filter(worker_id=worker_id).delete()

    @classmethod
    def alive(cls, within_seconds: float) -> int:
        """How many runtimes beat in the last `within_seconds`."""
        since = datetime.now(timezone.utc) - timedelta(seconds=within_seconds)
        return cls.objects.filter(seen_at__gte=since).count()
