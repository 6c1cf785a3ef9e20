"""Benchmark the AWS-compatible API: StartExecution calls per second through a real server.

    python -m bench.api [--calls N] [--clients C] [--server runserver|daphne] [--definition FILE] [--json]

Sets up a throw-away installation (a migrated SQLite file in a temporary folder, a user and
an access key made with `manage.py create_access_key`, a state machine created through the
API), starts the server as its own process and has C client processes (real boto3 clients,
one each, signing every request with Signature Version 4) call StartExecution N times in all,
as fast as the server answers. Reported: calls per second (all calls / wall time from the
first call to the last answer), latency percentiles, and how many executions the runtime had
finished when the last call was answered.

--server runserver (default): `manage.py runserver --noreload`, the embedded default: Daphne
    plus the runtime, which runs the started executions on the same cores while the calls
    keep coming.
--server daphne: Daphne serving statelight.asgi with the runtime off: the API alone.
--server daphne+worker: the same plus one `manage.py statelight_worker` process running
    the executions (the scale-out set-up, here on the same SQLite file).

The clients run on the same machine and take their share of the CPU (botocore's request
building and signing cost about as much as the server's handling), so the figure is a floor
for what a remote client fleet would see. Goal (issue 4): >= 200 calls/s on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/Bench"
GOAL = 200


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server", choices=["runserver", "daphne", "daphne+worker"], default="runserver")
    parser.add_argument("--definition", type=Path, help="ASL file to start (default: a one-state Pass machine)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    definition = args.definition.read_text() if args.definition else PASS

    with tempfile.TemporaryDirectory(prefix="statelight-bench-api-") as folder:
        folder = Path(folder)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "DJANGO_DEBUG": "0",
               "STATELIGHT_RUNTIME_EMBEDDED": "1" if args.server == "runserver" else "0",
               "PYTHONUNBUFFERED": "1"}
        _manage(env, "migrate", "--no-input", "-v0")
        key_lines = _manage(env, "create_access_key", "bench", "--create-user").splitlines()
        key = (key_lines[0].split("=", 1)[1], key_lines[1].split("=", 1)[1])
        port = _free_port()
        command = ([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
                   if args.server == "runserver" else
                   [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "statelight.asgi:application"])
        log = open(folder / "server.log", "w")
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = None
        if args.server == "daphne+worker":
            worker = subprocess.Popen([sys.executable, "manage.py", "statelight_worker"], cwd=ROOT, env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, server, folder / "server.log")
            machine = _client(url, key).create_state_machine(
                name="bench", definition=definition, roleArn=ROLE)["stateMachineArn"]
            _client(url, key).start_execution(stateMachineArn=machine)  # warm the server's caches
            cpu_before = _cpu_seconds(server.pid)
            result = _run(url, key, machine, args.calls, args.clients)
            cpu = _cpu_seconds(server.pid) - cpu_before
            result["server_cpu_ms_per_call"] = cpu / args.calls * 1000 if cpu >= 0 else None
            result["finished_when_done"] = _finished(folder / "db.sqlite3")
            result["server"] = args.server
        finally:
            for process in (server, worker):
                if process is None:
                    continue
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"StartExecution through {result['server']} ({result['clients']} client processes, "
              f"{result['calls']} calls, {os.cpu_count()} CPUs)")
        print(f"  {result['calls_per_second']:.0f} calls/s   "
              f"latency p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
        server_cpu = result["server_cpu_ms_per_call"]
        print(f"  CPU per call: server {server_cpu:.2f} ms, client (boto3) {result['client_cpu_ms_per_call']:.2f} ms"
              if server_cpu is not None else "")
        print(f"  executions finished by the runtime when the last call was answered: "
              f"{result['finished_when_done']} of {result['calls'] + 1}")
        verdict = "met" if result["calls_per_second"] >= GOAL else "NOT met"
        print(f"  goal >= {GOAL} calls/s: {verdict}")
    return 0


def _run(url, key, machine, calls, clients) -> dict:
    per_client = [calls // clients + (1 if n < calls % clients else 0) for n in range(clients)]
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(clients + 1)
    # the barrier reaches the workers as they start (it cannot travel with a task)
    with context.Pool(clients, initializer=_share, initargs=(ready,)) as pool:
        pending = [pool.apply_async(_client_calls, (url, key, machine, count)) for count in per_client]
        ready.wait(timeout=60)  # every client has built its boto3 client
        began = time.perf_counter()
        answers = [job.get() for job in pending]
        elapsed = time.perf_counter() - began
    latencies = sorted(latency for client_latencies, _ in answers for latency in client_latencies)
    client_cpu = sum(cpu for _, cpu in answers)

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"calls": calls, "clients": clients, "seconds": elapsed, "calls_per_second": calls / elapsed,
            "p50_ms": percentile(0.50), "p95_ms": percentile(0.95), "p99_ms": percentile(0.99),
            "mean_ms": statistics.fmean(latencies) * 1000, "client_cpu_ms_per_call": client_cpu / calls * 1000}


_ready = None


def _share(barrier):
    global _ready
    _ready = barrier


def _client_calls(url, key, machine, count) -> tuple[list[float], float]:
    sfn = _client(url, key)
    sfn.list_state_machines()  # open the connection before the clock starts
    _ready.wait(timeout=60)
    latencies = []
    cpu = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        sfn.start_execution(stateMachineArn=machine, input='{"bench": true}')
        latencies.append(time.perf_counter() - started)
    return latencies, time.process_time() - cpu


def _client(url, key):
    import boto3
    from botocore.config import Config

    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key[0],
                        aws_secret_access_key=key[1],
                        config=Config(retries={"max_attempts": 1}, read_timeout=70, inject_host_prefix=False))


def _cpu_seconds(pid) -> float:
    """User + system CPU time of a process so far (Linux /proc; -1 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _manage(env, *args) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url, server, log_path):
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.05)


def _finished(db_path) -> int:
    with sqlite3.connect(db_path, timeout=20) as db:
        return db.execute("SELECT COUNT(*) FROM designer_execution WHERE status != 'RUNNING'").fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
