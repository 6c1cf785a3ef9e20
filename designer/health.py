"""Is anybody advancing the executions? A runtime in this process (the embedded default), or
one in another process that beat within a lease period (RuntimeHeartbeat, written by every
runtime's loop). With none, RUNNING executions wait for a worker: every page says so in a
banner (templatetags/health.py) and GET /healthz in its answer, with how to start one.

The heartbeat is the evidence rather than leases: an idle worker holds no lease, and a
waiting execution holds none either, so leases cannot tell "no worker" from "nothing to do".
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from designer.models import Execution, RuntimeHeartbeat
from designer.runtime import signals

WAITING_STATUSES = (Execution.RUNNING, Execution.PENDING_REDRIVE)
START_A_WORKER = "scripts/worker"


@dataclass(frozen=True)
class RuntimeHealth:
    runtimes: int  # alive now: this process's, else those that beat lately
    waiting: int  # executions a runtime must advance (of those asked about)

    @property
    def stalled(self) -> bool:
        return self.runtimes == 0 and self.waiting > 0

    def to_dict(self) -> dict:
        """/healthz's answer: `runtime` is "ok" (one is alive), "none" (none is, and nothing waits)
        or "waiting-for-worker" (none is, and executions wait)."""
        state = "ok" if self.runtimes else "waiting-for-worker" if self.stalled else "none"
        return {"runtime": state, "runtimes": self.runtimes, "waitingExecutions": self.waiting,
                "message": self.message()}

    def message(self) -> str:
        if self.runtimes:
            return f"{self.runtimes} runtime(s) running"
        waiting = (f"{self.waiting} execution(s) waiting for a worker" if self.waiting
                   else "executions started now will wait for a worker")
        return (f"No Statelight runtime has run for {lease_seconds():g} s: {waiting}. Start one with "
                f"{START_A_WORKER}, with the web server's DATABASE_URL and REDIS_URL.")


def lease_seconds() -> float:
    return getattr(settings, "STATELIGHT_RUNTIME_LEASE_SECONDS", 30.0)


def runtime_health(executions=None) -> RuntimeHealth:
    """How many runtimes are alive and, when none is, how many of `executions` (default: all)
    wait for one (counting costs a query, so only then)."""
    runtimes = len(signals.live_runtimes()) or RuntimeHeartbeat.alive(within_seconds=lease_seconds())
    if runtimes:
        return RuntimeHealth(runtimes, 0)
    executions = Execution.objects.all() if executions is None else executions
    return RuntimeHealth(0, executions.filter(status__in=WAITING_STATUSES).count())
