"""The three measurements of the bench, each returning one JSON-ready record per workload.

in-process      parse + run inside Python, no start-up: a fresh child process per workload
                (`python -m bench.measure --child NAME`) times `reps` repetitions of
                engine.parse + engine.run and reports its own peak RSS (getrusage ru_maxrss),
                so no workload's memory or garbage leaks into another's figures, and the hot
                loop runs without tracemalloc's overhead.
whole-process   `python -m engine run DEF --input IN --fast-time [--handlers bench.echo]` as a
                subprocess, wall clock from spawn to exit (interpreter start-up and imports
                included); its peak RSS comes from wait4().
peer            ../shared/bench/peer.sh (aws-local-stepfunctions under Node) on the same files.

A record's `status` is "ok", "digest-mismatch", "failed", "unsupported" (a JSONata workload the
engine rejects or cannot run yet) or "timeout"; `ok` is true only for "ok".
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .workloads import ENV_VAR, REPO_ROOT, digest, load_manifest, workloads_dir

DEFAULT_TIMEOUT = 600.0


def median(values):
    return statistics.median_low(values) if values else None


def _base_record(workload, mode):
    return {
        "workload": workload.name, "mode": mode, "ok": False, "status": "failed", "error": None,
        "transitions": workload.transitions, "expected_digest": workload.expected_digest, "output_digest": None,
        "seconds": None, "reps": [], "transitions_per_s": None, "peak_rss_mb": None,
    }


def _judge(record, workload, outcome_status, output, error=None, cause=None):
    """Fill status/ok/digest from one execution's status and output."""
    if outcome_status != "SUCCEEDED":
        record["status"] = "unsupported" if workload.jsonata else "failed"
        record["error"] = f"execution {outcome_status}: {error}: {cause}"
        return
    record["output_digest"] = digest(output)
    if record["output_digest"] == workload.expected_digest:
        record["status"], record["ok"] = "ok", True
    else:
        record["status"] = "digest-mismatch"
        record["error"] = f"output digest {record['output_digest']} != expected {workload.expected_digest}"
    if record["seconds"]:
        record["transitions_per_s"] = round(workload.transitions / record["seconds"])


def _mb(kilobytes) -> float:
    return round(kilobytes / 1024, 1)  # Linux reports ru_maxrss in KiB


def _env(directory: Path) -> dict:
    env = dict(os.environ)
    env[ENV_VAR] = str(directory)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _spawn(argv, *, env, timeout, cwd=REPO_ROOT):
    """Run argv; return (wall seconds, exit code or None on timeout, stdout, stderr, peak RSS KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        code = None if timed_out.is_set() else proc.returncode
        return wall, code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), usage.ru_maxrss


def _last_line(text):
    """The last non-empty line (a traceback's exception line), shortened."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:600] if lines else ""


def _last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON object in the output")


# ---------------------------------------------------------------- in-process

def measure_in_process(workload, directory: Path, reps: int, timeout=DEFAULT_TIMEOUT) -> dict:
    argv = [sys.executable, "-m", "bench.measure", "--child", workload.name, "--reps", str(reps)]
    wall, code, out, err, _ = _spawn(argv, env=_env(directory), timeout=timeout)
    if code is None:
        record = _base_record(workload, "in-process")
        record["status"], record["error"] = "timeout", f"no result after {timeout:g} s"
        return record
    try:
        return _last_json_line(out)
    except ValueError:
        record = _base_record(workload, "in-process")
        record["error"] = f"the child exited {code}: {_last_line(err)}"
        return record


def child_in_process(name: str, reps: int) -> dict:
    """In the fresh child: time `reps` x (parse + run) of one workload, then read the peak RSS."""
    import engine

    from . import echo

    manifest = load_manifest(workloads_dir())
    echo.register(manifest.echo_resource)
    workload = manifest.select([name])[0]
    record = _base_record(workload, "in-process")
    definition, data = workload.load()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    record["rss_before_mb"] = _mb(before)
    parse_times, run_times, result = [], [], None
    try:
        for _ in range(reps):
            t0 = time.perf_counter()
            machine = engine.parse(definition)
            t1 = time.perf_counter()
            result = engine.run(machine, data, fast_time=True)
            t2 = time.perf_counter()
            parse_times.append(t1 - t0)
            run_times.append(t2 - t1)
            record["reps"].append(t2 - t0)
            if result.status != "SUCCEEDED":
                break
    except Exception as e:  # a definition the engine cannot take yet (JSONata) is a result, not a crash
        record["status"] = "unsupported" if workload.jsonata else "failed"
        record["error"] = f"{type(e).__name__}: {str(e)[:500]}"
    else:
        record["seconds"] = median(record["reps"])
        record["parse_s"] = median(parse_times)
        record["run_s"] = median(run_times)
        _judge(record, workload, result.status, result.output, result.error, result.cause)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    record["peak_rss_mb"] = _mb(peak)
    record["rss_growth_mb"] = _mb(peak - before)
    return record


# ---------------------------------------------------------------- whole process

def bytecode_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "statelight-bench" / "pycache"


def measure_whole_process(workload, directory: Path, reps: int, timeout=DEFAULT_TIMEOUT,
                          bytecode_cache=True) -> dict:
    """Median wall clock of `python -m engine run ...` subprocesses.

    With bytecode_cache (the default) the subprocesses may write and read .pyc files, kept outside
    the tree (PYTHONPYCACHEPREFIX), and one untimed run warms them first: the steady state of an
    installed CLI. Without it they run in this environment as it is (where PYTHONDONTWRITEBYTECODE
    is set, every process compiles the engine's sources again, some 40 ms).
    """
    record = _base_record(workload, "whole-process")
    argv = [sys.executable, "-m", "engine", "run", str(workload.definition), "--input", str(workload.input),
            "--fast-time"]
    if workload.needs_echo_task:
        argv += ["--handlers", "bench.echo"]
    record["command"] = " ".join(argv[1:])
    env = _env(directory)
    record["bytecode_cache"] = str(bytecode_cache_dir()) if bytecode_cache else None
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = record["bytecode_cache"]
        _spawn(argv, env=env, timeout=timeout)  # warm-up, untimed
    peaks, printed = [], None
    for _ in range(reps):
        wall, code, out, err, peak = _spawn(argv, env=env, timeout=timeout)
        if code is None:
            record["status"], record["error"] = "timeout", f"no result after {timeout:g} s"
            return record
        try:
            printed = _last_json_line(out)
        except ValueError:
            record["status"] = "unsupported" if workload.jsonata else "failed"
            record["error"] = f"exit {code}: {_last_line(err) or _last_line(out)}"
            return record
        record["reps"].append(wall)
        peaks.append(peak)
        if printed.get("status") != "SUCCEEDED":
            break
    record["seconds"] = median(record["reps"])
    record["peak_rss_mb"] = _mb(max(peaks))
    if printed.get("status") == "INVALID":
        record["status"] = "unsupported" if workload.jsonata else "failed"
        record["error"] = "INVALID: " + "; ".join(
            f"{p.get('path')} {p.get('code')}" for p in printed.get("problems", [])[:3])
        return record
    _judge(record, workload, printed.get("status"), printed.get("output"), printed.get("error"), printed.get("cause"))
    return record


def measure_start_up(directory: Path, reps: int, timeout=DEFAULT_TIMEOUT) -> dict:
    """The command line's start-up: median wall clock of a bare `python -c pass` and of `python -c
    "import engine.cli"` (the modules `python -m engine run` loads before it reads a file), with the
    warmed .pyc cache of the whole-process runs; `import_ms` is the difference."""
    env = _env(directory)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache_dir())
    walls = {}
    for name, code in (("interpreter_ms", "pass"), ("with_engine_ms", "import engine.cli")):
        argv = [sys.executable, "-c", code]
        _spawn(argv, env=env, timeout=timeout)  # warm-up, untimed
        walls[name] = median([_spawn(argv, env=env, timeout=timeout)[0] for _ in range(max(reps, 5))]) * 1000
    return {**walls, "import_ms": walls["with_engine_ms"] - walls["interpreter_ms"]}


# ---------------------------------------------------------------- the peer

def peer_script(directory: Path) -> Path:
    return directory.parent / "peer.sh"


def measure_peer(workload, directory: Path, reps: int, timeout=DEFAULT_TIMEOUT) -> dict:
    """peer.sh's own JSON line (seconds = median in-process, startup_s = Node boot + module load),
    plus `whole_s` = seconds + startup_s, the README's fair whole-process figure."""
    record = _base_record(workload, "peer")
    script = peer_script(directory)
    if not script.exists():
        record["error"] = f"no peer script at {script}"
        return record
    env = dict(os.environ)
    env["WORKLOADS_DIR"] = str(directory)
    wall, code, out, err, _ = _spawn(["bash", str(script), workload.name, "--reps", str(reps)], env=env,
                                     timeout=timeout)
    if code is None:
        record["status"], record["error"] = "timeout", f"no result after {timeout:g} s"
        return record
    try:
        peer = _last_json_line(out)
    except ValueError:
        record["error"] = f"peer.sh exited {code}: {_last_line(err) or _last_line(out)}"
        return record
    record.update({k: peer.get(k) for k in ("seconds", "reps", "startup_s", "build_s", "run_s", "output_digest",
                                              "peak_rss_mb", "transitions_per_s", "peer", "peer_version", "runtime")})
    record["wall_s"] = wall
    record["ok"] = bool(peer.get("ok"))
    if peer.get("unsupported"):
        record["status"] = "unsupported"
    elif record["ok"]:
        record["status"] = "ok"
    elif peer.get("output_digest"):
        record["status"] = "digest-mismatch"
    record["error"] = peer.get("error")
    if record["seconds"] is not None and peer.get("startup_s") is not None:
        record["whole_s"] = record["seconds"] + peer["startup_s"]
    return record


def _child_main(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.measure", description="(internal) one in-process measurement")
    parser.add_argument("--child", required=True, metavar="WORKLOAD")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(child_in_process(args.child, max(1, args.reps))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
