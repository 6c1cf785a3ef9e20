"""Benchmark the live execution viewer: commit -> colour latency, and concurrent viewers.

    python -m bench.viewer [--states 200] [--step-ms 20] [--viewers 50,100,200,400] [--json]

Sets up a throw-away installation (a migrated SQLite file in a temporary folder, a user, a
machine of a gate plus --states Task states in a chain, laid out as a grid so every node is on
screen) and starts `manage.py runserver --noreload`: the embedded default (Daphne, the
in-memory channel layer, the runtime in the same process). Each Task sleeps --step-ms, so each
state is its own step and commit, as in a real workflow.

1. Latency: headless Chromium (/usr/bin/chromium) opens the execution viewer; a
   MutationObserver notes when each node's data-status changes, and the time of the animation
   frame after it (the colour is on screen). Measured from the event's timestamp, which the
   engine takes just before the step's transaction commits (so the figure includes the commit
   itself: it is an upper bound of commit -> colour), to that frame. Both clocks are this
   machine's. Reported for "running" (TaskStateEntered) and "succeeded" (TaskStateExited) of
   every state: median, p95, max.
2. Viewers: N websocket clients (a minimal RFC 6455 client in this process, one asyncio loop,
   each with the session cookie and Origin a browser sends) connect to the same execution,
   and a browser page watches too; then the gate opens and the run streams. Per N: whether all
   connected, whether every client got every event in order (no hole: a hole would cost a
   replay request), per-event delivery latency over all clients (event timestamp -> received,
   median/p95) and the browser's colour latency under that load.

Goals (issue 5): colour p95 < 100 ms; 200 viewers on one execution. The clients share the two
cores with the server (JSON parsing of N x events), so figures are a floor for remote viewers.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEP = "arn:aws:lambda:us-east-1:123456789012:function:BenchViewerStep"
GATE = "BenchViewerGate"


# --- the server's handlers (STATELIGHT_HANDLERS=...,bench.viewer) --------------------------

def _register_handlers():
    import engine

    @engine.task_handler("BenchViewerStep")
    def step(task_input, context):
        time.sleep(float(os.environ.get("BENCH_VIEWER_STEP_SECONDS", "0.02")))
        return task_input

    @engine.task_handler(GATE)
    def gate(task_input, context):
        return {}  # .waitForTaskToken: the bench opens the gate with the token


if os.environ.get("BENCH_VIEWER_SERVER") == "1":
    _register_handlers()


def machine(states: int) -> tuple[dict, dict]:
    """A gate (waits for its token), then `states` Tasks; positions on a grid of 10 columns."""
    names = [f"S{i:03d}" for i in range(states)]
    definition = {"StartAt": "Gate", "States": {
        "Gate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Parameters": {"FunctionName": GATE, "Payload": {"token.$": "$$.Task.Token"}},
                 "ResultPath": None, "Next": names[0]}}}
    for i, name in enumerate(names):
        state = {"Type": "Task", "Resource": STEP}
        state.update({"Next": names[i + 1]} if i + 1 < states else {"End": True})
        definition["States"][name] = state
    positions = {"/States/Gate": {"x": 0, "y": 0}}
    for i, name in enumerate(names):
        positions[f"/States/{name}"] = {"x": (i % 10) * 260, "y": 100 + (i // 10) * 110}
    return definition, {"positions": positions}


# --- set-up -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(folder: Path, states: int):
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.update(DATABASE_URL=url, DJANGO_SECRET_KEY="bench-viewer", DJANGO_SETTINGS_MODULE="statelight.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from designer import accounts, arns
    from designer.models import StateMachine

    user = get_user_model().objects.create_user("bench", password="bench-password")
    definition, layout = machine(states)
    m = StateMachine.objects.create(arn=arns.arn("stateMachine", "us-east-1", "ViewerBench", account=accounts.account_id(user)), name="ViewerBench",
                                    region="us-east-1", owner=user, definition=json.dumps(definition), layout=layout)
    client = Client()
    client.force_login(user)
    return url, user, m, client.cookies["sessionid"].value


class Server:
    def __init__(self, url, folder, step_seconds):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SECRET_KEY": "bench-viewer", "BENCH_VIEWER_SERVER": "1",
               "BENCH_VIEWER_STEP_SECONDS": str(step_seconds), "STATELIGHT_HANDLERS": "examples.handlers,bench.viewer",
               "STATELIGHT_RUNTIME_POLL_SECONDS": "0.05", "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)
        self.log = open(folder / "server.log", "ab")
        self.process = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                                        cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("the server did not start: see " + str(folder / "server.log"))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def start_gated(m, user):
    """A new execution, stopped at its gate; returns (execution, open_gate)."""
    from designer import runtime as rt
    from designer.models import TaskToken

    execution = rt.start_execution(m, owner=user)
    deadline = time.monotonic() + 30
    while not TaskToken.objects.filter(execution=execution).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the execution never reached its gate")
        time.sleep(0.02)
    token = TaskToken.objects.get(execution=execution).token
    return execution, lambda: rt.send_task_success(token, "{}")


def wait_finished(execution, timeout=600):
    from designer.models import Execution

    deadline = time.monotonic() + timeout
    while Execution.objects.get(pk=execution.pk).status == "RUNNING":
        if time.monotonic() > deadline:
            raise SystemExit("the execution did not finish")
        time.sleep(0.1)


def history(execution):
    from designer.models import HistoryEvent

    return [e.to_dict() for e in HistoryEvent.objects.filter(execution=execution).order_by("event_id")]


# --- websocket viewers (RFC 6455, just what the bench needs) ------------------------------

class Viewer:
    def __init__(self, port, path, cookie):
        self.port, self.path, self.cookie = port, path, cookie
        self.events = {}  # id -> received at (epoch seconds)
        self.out_of_order = 0
        self.last_id = 0
        self.replays = 0
        self.connected = False
        self.writer = None

    async def connect(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: http://127.0.0.1:{self.port}\r\nCookie: sessionid={self.cookie}\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        if b" 101 " not in status:
            writer.close()
            return False
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        self.reader, self.writer, self.connected = reader, writer, True
        return True

    async def frames(self):
        while True:
            head = await self.reader.readexactly(2)
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            payload = await self.reader.readexactly(length)
            if opcode == 8:
                return
            if opcode == 9:
                self.send(payload, opcode=10)
            elif opcode in (1, 0):
                yield payload

    def send(self, payload: bytes, opcode=1):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    async def listen(self):
        """Until the execution's last event, with every id before it (a hole asks for a replay)."""
        end = None
        async for payload in self.frames():
            now = time.time()
            message = json.loads(payload)
            for event in message.get("events") or ():
                if event["id"] in self.events:
                    continue
                self.events[event["id"]] = now
                if event["type"].startswith("Execution") and event["type"] != "ExecutionStarted":
                    end = event["id"]
                if event["id"] > self.last_id + 1:
                    self.replays += 1
                    self.send(json.dumps({"type": "replay", "after": self.last_id}).encode())
                while self.last_id + 1 in self.events:
                    self.last_id += 1
            if end is not None and self.last_id >= end:
                break
        self.writer.close()


class Fleet(threading.Thread):
    """`count` viewers on a loop of their own (Playwright's sync API runs a loop in the main thread)."""

    def __init__(self, port, path, cookie, count):
        super().__init__(daemon=True)
        self.viewers = [Viewer(port, path, cookie) for _ in range(count)]
        self.connected = threading.Event()
        self.ok = []
        self.connect_seconds = None
        self.error = None

    def run(self):
        try:
            asyncio.run(self._main())
        except Exception as e:  # reported, not raised in a thread nobody joins with a result
            self.error = e
            self.connected.set()

    async def _main(self):
        started = time.monotonic()
        results = await asyncio.gather(*(v.connect() for v in self.viewers), return_exceptions=True)
        self.connect_seconds = time.monotonic() - started
        self.ok = [v for v, r in zip(self.viewers, results) if r is True]
        self.connected.set()
        await asyncio.wait_for(asyncio.gather(*(v.listen() for v in self.ok), return_exceptions=True), 600)


# --- the browser --------------------------------------------------------------------------

RECORD = """
window.colours = [];
new MutationObserver((records) => {
  const dom = performance.timeOrigin + performance.now();
  const changed = [];
  for (const r of records) {
    const el = r.target;
    if (el.dataset && el.dataset.stateName) changed.push([el.dataset.stateName, el.dataset.status]);
  }
  if (changed.length) requestAnimationFrame(() => {
    const frame = performance.timeOrigin + performance.now();
    for (const [name, status] of changed) window.colours.push([name, status, dom, frame]);
  });
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-status"] });
"""


def open_viewer(playwright, base, cookie, execution):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=base)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
    page = context.new_page()
    page.add_init_script(RECORD)
    page.goto(f"/executions/{execution.pk}/")
    page.wait_for_selector('body[data-ws="open"]')
    page.wait_for_selector('[data-state-name="Gate"][data-waiting-for="callback"]')
    # the page first shows the running part at a readable size; the bench watches every node
    page.get_by_role("button", name="Fit", exact=True).click()
    states = len(json.loads(execution.definition)["States"])
    page.wait_for_function(f"document.querySelectorAll('[data-state-name]').length === {states}")
    return browser, page


def colour_latencies(page, events, when="dom") -> dict:
    """ms from each state's TaskStateEntered / TaskStateExited timestamp to its node showing
    running / succeeded: when="dom", the node's data-status changed (the page changes it in an
    animation frame's callback, so it is painted in that frame); when="frame", the start of the
    frame after that (a conservative bound)."""
    seen = {}
    for name, status, dom, frame in page.evaluate("window.colours"):
        seen.setdefault((name, status), (dom if when == "dom" else frame) / 1000)
    out = {"running": [], "succeeded": []}
    for event in events:
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
        name = details.get("name", "")
        if not name.startswith("S"):
            continue
        status = "running" if event["type"] == "TaskStateEntered" else "succeeded"
        if event["type"] in ("TaskStateEntered", "TaskStateExited") and (name, status) in seen:
            out[status].append((seen[(name, status)] - event["timestamp"]) * 1000)
    return out


def summary(values) -> dict:
    if not values:
        return {"n": 0}
    values = sorted(values)
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1), "max_ms": round(values[-1], 1)}


# --- the runs -----------------------------------------------------------------------------

def run_latency(playwright, server, m, user, cookie):
    execution, open_gate = start_gated(m, user)
    browser, page = open_viewer(playwright, server.base, cookie, execution)
    try:
        open_gate()
        wait_finished(execution)
        page.wait_for_function("document.querySelector('[data-execution-status]').dataset.executionStatus === 'SUCCEEDED'")
        page.wait_for_timeout(200)  # the last frame's callbacks
        events = history(execution)
        latencies = colour_latencies(page, events)
        next_frame = colour_latencies(page, events, when="frame")
    finally:
        browser.close()
    return {"running": summary(latencies["running"]), "succeeded": summary(latencies["succeeded"]),
            "all": summary(latencies["running"] + latencies["succeeded"]),
            "all_next_frame": summary(next_frame["running"] + next_frame["succeeded"]),
            "run_s": round(events[-1]["timestamp"] - events[0]["timestamp"], 2), "events": len(events)}


def run_viewers(playwright, server, m, user, cookie, count):
    execution, open_gate = start_gated(m, user)
    fleet = Fleet(server.port, f"/ws/executions/{execution.pk}/", cookie, count)
    fleet.start()
    fleet.connected.wait(120)
    if fleet.error:
        raise fleet.error
    browser, page = open_viewer(playwright, server.base, cookie, execution)
    try:
        before = len(history(execution))
        open_gate()
        wait_finished(execution)
        fleet.join(600)
        events = history(execution)
        page.wait_for_function("document.querySelector('[data-execution-status]').dataset.executionStatus === 'SUCCEEDED'")
        page.wait_for_timeout(200)
        colours = colour_latencies(page, events)
    finally:
        browser.close()
    stamps = {e["id"]: e["timestamp"] for e in events}
    delivery = [(at - stamps[i]) * 1000 for v in fleet.ok for i, at in v.events.items() if i > before and i in stamps]
    complete = sum(1 for v in fleet.ok if len(v.events) >= len(events))
    return {"viewers": count, "connected": len(fleet.ok), "connect_s": round(fleet.connect_seconds, 2),
            "complete": complete, "events": len(events), "replays_asked": sum(v.replays for v in fleet.ok),
            "delivery": summary(delivery), "colour": summary(colours["running"] + colours["succeeded"])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--step-ms", type=float, default=20.0)
    parser.add_argument("--viewers", default="50,100,200,400")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Chromium at {CHROMIUM}")
    if not (ROOT / "static/build/viewer.js").exists():
        raise SystemExit("needs the front-end bundle: npm ci && npm run build")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    report = {"states": args.states, "step_ms": args.step_ms, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="statelight-bench-viewer-") as tmp:
        folder = Path(tmp)
        url, user, m, cookie = setup(folder, args.states)
        server = Server(url, folder, args.step_ms / 1000)
        try:
            with sync_playwright() as playwright:
                report["latency"] = run_latency(playwright, server, m, user, cookie)
                if not args.json:
                    print(f"one viewer, {args.states} states: colour latency {report['latency']}", flush=True)
                report["viewers"] = []
                for count in [int(n) for n in args.viewers.split(",") if n.strip()]:
                    row = run_viewers(playwright, server, m, user, cookie, count)
                    report["viewers"].append(row)
                    if not args.json:
                        print(f"{count} viewers: {row}", flush=True)
        finally:
            server.stop()
    if args.json:
        print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
