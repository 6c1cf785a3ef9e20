"""A real `manage.py runserver` in a process of its own, for tests that need the whole
server (its runtime, websockets, a SIGKILL): started, stopped, killed and restarted
on one port, its output kept in a log file."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunServer:
    def __init__(self, database_url: str, log_path: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {**os.environ, "DATABASE_URL": database_url, "STATELIGHT_RUNTIME_POLL_SECONDS": "0.1",
                    "STATELIGHT_RUNTIME_EMBEDDED": "1", "PYTHONUNBUFFERED": "1", **env}
        self.env.pop("REDIS_URL", None)  # the embedded default: in-memory channel layer
        self.process = None

    def start(self, reload=False):
        options = [] if reload else ["--noreload"]
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", *options, f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not come up:\n" + self.log_path.read_text())

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        """Terminate the server and whatever it started (the autoreloader's child): its process group."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
