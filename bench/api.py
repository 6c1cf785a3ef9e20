"""Benchmark the AWS-compatible API and the runtime behind it, through a real server and real
boto3 clients: StartExecution under concurrent clients, and executions completed end to end.

    python -m bench.api [--case start-50|start-200|e2e ...] [--server runserver|daphne|daphne+workers]
                        [--workers N] [--postgres URL --redis URL] [--calls N] [--json]

Each case sets up a throw-away installation (a migrated database, a user and an access key made
with `manage.py create_access_key`, a state machine created through the API), starts the server
as its own process, and has C concurrent clients (threads in 4 client processes, each thread
its own boto3 client signing every request with Signature Version 4) call StartExecution as
fast as the server answers. The runtime runs the executions while the calls come.

Cases (default: all three, each on a fresh server and database):
  start-50    50 clients, a Pass -> Python task machine. Goal: >= 400 calls/s, p95 < 150 ms.
  start-200   200 clients, the same machine. Goal: no errors, p95 < 500 ms.
  e2e         50 clients start executions of a 6-state machine (Pass, Choice, Task with a
              Python handler, Pass, Wait 0, Succeed); timed from the first call to the last
              execution completed. Goal: >= 300 executions/s completed; persisted transitions/s
              (states entered, stored) beside it, goal >= 5,000 for short executions.

--server runserver (default): `manage.py runserver --noreload`, the embedded default: one
    process, Daphne plus the runtime, SQLite, the in-memory channel layer.
--server daphne: Daphne serving statelight.asgi with the runtime off: the API alone.
--server daphne+workers: the same plus --workers `manage.py statelight_worker` processes
    (default 2) running the executions; with --postgres and --redis, the scale-out set-up
    (the goal for it: >= 1.5x the embedded e2e figure).

The clients run on the same machine and take their share of the CPU (botocore's request
building and signing cost about as much as the server's handling of a call): the figures are
a floor for what remote clients would see. `cpu/call` is the CPU time the server processes
used per call. Figures move with whatever else the machine runs: compare within one run.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.runtime import LAMBDA, SIX_STATES  # the end-to-end machine: Pass, Choice, Task, Pass, Wait 0, Succeed

ROOT = Path(__file__).resolve().parent.parent
ROLE = "arn:aws:iam::123456789012:role/Bench"
CLIENT_PROCESSES = 4

# The small machine: a Pass, then a Python task.
SMALL = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Next": "Work"},
    "Work": {"Type": "Task", "Resource": LAMBDA + "FirstFunction", "End": True}}}

CASES = {
    # name: (clients, definition, default calls, goals)
    "start-50": (50, SMALL, 4000, {"calls_per_second": (">=", 400), "p95_ms": ("<", 150)}),
    "start-200": (200, SMALL, 4000, {"errors": ("==", 0), "p95_ms": ("<", 500)}),
    "e2e": (50, SIX_STATES, 4000, {"executions_per_second": (">=", 300), "transitions_per_second": (">=", 5000)}),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="default: all")
    parser.add_argument("--calls", type=int, help="StartExecution calls per case (default 4000)")
    parser.add_argument("--clients", type=int, help="concurrent clients (default: the case's)")
    parser.add_argument("--server", choices=["runserver", "daphne", "daphne+workers"], default="runserver")
    parser.add_argument("--workers", type=int, default=2, help="statelight_worker processes (daphne+workers)")
    parser.add_argument("--postgres", metavar="URL", help="an existing PostgreSQL server (postgres://user@host:port/db):"
                        " a fresh database is made beside it and dropped after")
    parser.add_argument("--redis", metavar="URL", help="Redis for the channel layer (REDIS_URL)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    args = parser.parse_args(argv)

    records = []
    for name in args.case or list(CASES):
        clients, definition, calls, goals = CASES[name]
        record = run_case(name, definition, args.calls or calls, args.clients or clients, args)
        record["goals"] = judge(record, goals)
        records.append(record)
        if not args.json:
            print_record(record)
    if args.json:
        print(json.dumps(records, indent=1))
    return 0


# --- one case -----------------------------------------------------------------

def run_case(name, definition, calls, clients, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="statelight-bench-api-") as folder, database(args.postgres, Path(folder)) \
            as (database_url, count_finished):
        folder = Path(folder)
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1",
               "STATELIGHT_RUNTIME_EMBEDDED": "1" if args.server == "runserver" else "0",
               "STATELIGHT_HANDLERS": "examples.handlers", "DJANGO_SECRET_KEY": "bench-api"}
        env.pop("REDIS_URL", None)
        if args.redis:
            env["REDIS_URL"] = args.redis
        _manage(env, "migrate", "--no-input", "-v0")
        key_lines = _manage(env, "create_access_key", "bench", "--create-user").splitlines()
        key = (key_lines[0].split("=", 1)[1], key_lines[1].split("=", 1)[1])
        port = _free_port()
        log = open(folder / "server.log", "w")
        processes = [_server(args.server, port, env, log)]
        if args.server == "daphne+workers":
            processes += [subprocess.Popen([sys.executable, "manage.py", "statelight_worker"], cwd=ROOT, env=env,
                                           stdout=log, stderr=subprocess.STDOUT) for _ in range(args.workers)]
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, processes[0], folder / "server.log")
            sfn = _client(url, key)
            machine = sfn.create_state_machine(name="bench", definition=json.dumps(definition),
                                               roleArn=ROLE)["stateMachineArn"]
            warm = 20
            for _ in range(warm):  # warm the server's caches and connections
                sfn.start_execution(stateMachineArn=machine)
            while count_finished() < warm and processes[0].poll() is None:
                time.sleep(0.05)
            cpu_before = sum(_cpu_seconds(p.pid) for p in processes)
            record = _run_clients(url, key, machine, calls, clients)
            record["finished_when_answered"] = count_finished() - warm
            finished_at = _wait_finished(count_finished, calls + warm, processes)
            record["cpu_ms_per_call"] = (sum(_cpu_seconds(p.pid) for p in processes) - cpu_before) / calls * 1000
            record.update(case=name, server=args.server, workers=args.workers if args.server != "runserver" else 0,
                          database="postgres" if args.postgres else "sqlite", redis=bool(args.redis))
            if finished_at is not None:
                seconds = finished_at - record["began"]
                record["completion_seconds"] = seconds
                record["executions_per_second"] = calls / seconds
                record["transitions_per_second"] = calls * _states_entered(definition) / seconds
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()
    return record


def _server(kind, port, env, log):
    command = ([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"] if kind == "runserver"
               else [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                     "statelight.asgi:application"])
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _states_entered(definition) -> int:
    """States one execution enters (AWS's state transitions): each state once, for these machines."""
    return len(definition["States"])


def _wait_finished(count_finished, total, processes, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_finished() >= total:
            return time.perf_counter()
        if any(p.poll() is not None for p in processes):
            return None
        time.sleep(0.01)
    return None


class database:
    """(DATABASE_URL, count of finished executions) for a case: a fresh SQLite file, or a fresh
    PostgreSQL database beside --postgres, dropped after."""

    def __init__(self, postgres, folder):
        self.postgres, self.folder, self.name = postgres, folder, None

    def __enter__(self):
        if not self.postgres:
            path = self.folder / "db.sqlite3"
            return f"sqlite:///{path}", lambda: _count_sqlite(path)
        import psycopg

        self.name = f"statelight_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        url = f"{self.postgres.rsplit('/', 1)[0]}/{self.name}"
        self.connection = psycopg.connect(url, autocommit=True)
        return url, self._count_postgres

    def _count_postgres(self):
        try:
            return self.connection.execute(
                "SELECT COUNT(*) FROM designer_execution WHERE status != 'RUNNING'").fetchone()[0]
        except Exception:  # not migrated yet
            return 0

    def __exit__(self, *exc):
        if self.name:
            import psycopg

            self.connection.close()
            with psycopg.connect(self.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _count_sqlite(path) -> int:
    try:
        with sqlite3.connect(path, timeout=20) as db:
            return db.execute("SELECT COUNT(*) FROM designer_execution WHERE status != 'RUNNING'").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


# --- the clients --------------------------------------------------------------

def _run_clients(url, key, machine, calls, clients) -> dict:
    processes = min(CLIENT_PROCESSES, clients)
    counts = [calls // clients + (1 if n < calls % clients else 0) for n in range(clients)]
    per_thread = [counts[n::processes] for n in range(processes)]  # each process's clients
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes + 1)
    go = context.Event()
    with context.Pool(processes, initializer=_share, initargs=(ready, go)) as pool:
        pending = [pool.apply_async(_client_process, (url, key, machine, counts)) for counts in per_thread]
        ready.wait(timeout=120)  # every client has built its boto3 client and opened its connection
        began = time.perf_counter()
        go.set()
        answers = [job.get() for job in pending]
        answered = time.perf_counter()
    latencies = sorted(latency for result in answers for latency in result["latencies"])
    errors = sum(result["errors"] for result in answers)

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    return {"calls": calls, "clients": clients, "began": began, "seconds": answered - began,
            "calls_per_second": calls / (answered - began), "errors": errors,
            "first_error": next((r["first_error"] for r in answers if r["first_error"]), None),
            "p50_ms": percentile(0.50), "p95_ms": percentile(0.95), "p99_ms": percentile(0.99),
            "max_ms": latencies[-1] * 1000 if latencies else None,
            "client_cpu_ms_per_call": sum(r["cpu"] for r in answers) / calls * 1000}


_ready = _go = None


def _share(barrier, go):
    global _ready, _go
    _ready, _go = barrier, go


def _client_process(url, key, machine, counts) -> dict:
    """One client process: a thread per client, each with its own boto3 client."""
    results = [None] * len(counts)
    built = threading.Barrier(len(counts) + 1)

    def client(i):
        sfn = _client(url, key)
        sfn.list_state_machines()  # open the connection before the clock starts
        built.wait()
        _go.wait()
        latencies, errors, first_error = [], 0, None
        for _ in range(counts[i]):
            started = time.perf_counter()
            try:
                sfn.start_execution(stateMachineArn=machine, input='{"bench": true}')
            except Exception as e:  # counted and shown: a goal says none
                errors += 1
                first_error = first_error or f"{type(e).__name__}: {e}"
                continue
            latencies.append(time.perf_counter() - started)
        results[i] = {"latencies": latencies, "errors": errors, "first_error": first_error}

    workers = [threading.Thread(target=client, args=(i,)) for i in range(len(counts))]
    for worker in workers:
        worker.start()
    built.wait()
    _ready.wait(timeout=120)
    cpu = time.process_time()
    for worker in workers:
        worker.join()
    return {"latencies": [x for r in results for x in r["latencies"]], "errors": sum(r["errors"] for r in results),
            "first_error": next((r["first_error"] for r in results if r["first_error"]), None),
            "cpu": time.process_time() - cpu}


def _client(url, key):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()  # one per thread: the default session is not thread-safe
    return session.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key[0],
                          aws_secret_access_key=key[1],
                          config=Config(retries={"max_attempts": 1}, read_timeout=120, connect_timeout=60,
                                        inject_host_prefix=False, max_pool_connections=1))


# --- reporting ----------------------------------------------------------------

def judge(record, goals) -> list:
    checks = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "==": lambda a, b: a == b}
    results = []
    for member, (op, bound) in goals.items():
        value = record.get(member)
        results.append({"goal": f"{member} {op} {bound:,}", "value": value,
                        "met": value is not None and checks[op](value, bound)})
    return results


def print_record(r):
    setup = r["server"] + (f" x{r['workers']}" if r["workers"] else "") + f", {r['database']}" + (
        " + redis" if r["redis"] else "")
    print(f"{r['case']}: {r['calls']} StartExecution calls from {r['clients']} boto3 clients ({setup}, "
          f"{os.cpu_count()} CPUs)")
    print(f"  {r['calls_per_second']:.0f} calls/s  latency p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
          f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms  errors {r['errors']}"
          + (f" (first: {r['first_error'][:200]})" if r["first_error"] else ""))
    print(f"  CPU per call: server {r['cpu_ms_per_call']:.2f} ms, clients (boto3) {r['client_cpu_ms_per_call']:.2f} ms;"
          f" executions finished when the last call was answered: {r['finished_when_answered']} of {r['calls']}")
    if "executions_per_second" in r:
        print(f"  all {r['calls']} executions completed after {r['completion_seconds']:.2f} s: "
              f"{r['executions_per_second']:.0f} executions/s, {r['transitions_per_second']:.0f} transitions/s")
    for goal in r["goals"]:
        value = goal["value"]
        shown = "n/a" if value is None else f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        print(f"  goal {goal['goal']}: {shown}  {'met' if goal['met'] else 'NOT met'}")


# --- plumbing -----------------------------------------------------------------

def _cpu_seconds(pid) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
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

    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
