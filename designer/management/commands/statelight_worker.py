"""`manage.py statelight_worker`: a runtime process for scale-out.

Run any number of them beside the web server (PostgreSQL DATABASE_URL, Redis
REDIS_URL, STATELIGHT_RUNTIME_EMBEDDED=0 for the server). Each claims
executions with leases; a killed worker's executions and tasks are taken over
by the others (at once when it ran on the same machine, else once its lease
of STATELIGHT_RUNTIME_LEASE_SECONDS runs out). SIGTERM or SIGINT stops it
gracefully: running tasks may finish, the rest is handed back.
"""
import signal
import threading

from django.core.management.base import BaseCommand

from designer.runtime import Runtime


class Command(BaseCommand):
    help = "Run a Statelight runtime worker (executions, timers, task resources) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=None,
                            help="threads performing tasks (default STATELIGHT_RUNTIME_TASK_THREADS)")
        parser.add_argument("--poll", type=float, default=None,
                            help="seconds between looks for work (default STATELIGHT_RUNTIME_POLL_SECONDS)")

    def handle(self, *args, threads=None, poll=None, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        runtime = Runtime(task_threads=threads, poll_seconds=poll).start()
        self.stdout.write(f"Statelight worker {runtime.worker_id} running; stop with SIGTERM or Ctrl-C.")
        self.stdout.flush()
        try:
            while not stop.wait(1.0):
                pass
        finally:
            runtime.stop()
            self.stdout.write(f"Statelight worker {runtime.worker_id} stopped.")
