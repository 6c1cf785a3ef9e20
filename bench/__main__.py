"""Benchmark Statelight's engine on the shared ASL workloads.

    python -m bench [WORKLOAD ...] [--reps N] [--whole-process] [--compare-peer] [--json] [--timeout S]

WORKLOAD is a name from the manifest or a prefix of names (`w1` = w1_pass_chain_2k and
w1_pass_chain_20k); none means every workload. The workloads are read from
../shared/bench/workloads next to the repository, or from $STATELIGHT_BENCH_WORKLOADS; when
that folder does not exist (a user's clone has no ../shared) the bench says so and exits 0.

Default, in-process: each workload runs in a fresh Python child process that times N
repetitions (default 3) of engine.parse + engine.run(fast_time=True) and reports:
  seconds        the median repetition (parse + run; interpreter start-up not included)
  transitions/s  the manifest's `transitions` / seconds
  peak RSS       the child's peak resident set size (getrusage ru_maxrss) after all repetitions,
                 i.e. interpreter + engine + workload; `growth` is that peak minus the peak
                 before the first repetition (after imports and loading the JSON files), the
                 memory the run itself added. tracemalloc is not used: it slows the hot loop.
  digest         sha256 of the output as canonical JSON (sorted keys, no whitespace, numbers and
                 strings written as JavaScript writes them), first 16 hex digits, checked against
                 the manifest's `expected_digest`. A mismatch is printed loudly as MISMATCH.

--whole-process  also times `python -m engine run DEF --input IN --fast-time` (plus
                 `--handlers bench.echo` for the Echo task of W4) as a subprocess: wall clock from
                 spawn to exit, start-up included, median of N; peak RSS of that process.
                 The subprocesses may keep .pyc files (in ~/.cache/statelight-bench/pycache, via
                 PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set) and one untimed
                 run warms them: the steady state of an installed CLI. --no-bytecode-cache runs
                 them in the environment as it is, with no warm-up (cold: sources compiled again
                 when PYTHONDONTWRITEBYTECODE is set).
--compare-peer   also runs ../shared/bench/peer.sh (npm aws-local-stepfunctions under Node; it
                 installs the package into ~/.cache/statelight-peers on first use) on the same
                 workloads and prints Statelight's whole-process seconds beside the peer's
                 seconds + startup_s, with the speed-up (peer / Statelight). Implies --whole-process.
--json           one JSON object (every record, every repetition) instead of tables.

The goals are printed beside the figures, for whichever of those workloads ran: >= 100,000
transitions/s in-process on w1_pass_chain_20k, w2_map_inline_10k under 0.5 s (issue 2), and
(issue 12) the whole process >= 10x faster than the peer on w1_pass_chain_20k, w2_map_inline_10k and
w5_choice_heavy_5k, with the command line's imports under 50 ms (with --whole-process: a bare
`python -c pass` against `python -c "import engine.cli"`). A goal is binding; figures move with
whatever else the machine runs, so compare within one run.

Exit status: 0 when every workload that is not unsupported produced the expected digest,
1 otherwise, 2 for bad arguments (an unknown workload name).
"""
from __future__ import annotations

import argparse
import json
import sys

from .measure import (DEFAULT_TIMEOUT, measure_in_process, measure_peer, measure_start_up, measure_whole_process,
                      peer_script)
from .workloads import ENV_VAR, load_manifest, workloads_dir

GOAL_TRANSITIONS = ("w1_pass_chain_20k", 100_000)
GOAL_SECONDS = ("w2_map_inline_10k", 0.5)
PEER_WORKLOADS = ("w1_pass_chain_20k", "w2_map_inline_10k", "w5_choice_heavy_5k")
PEER_FACTOR = 10
GOAL_IMPORT_MS = 50


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark the engine on the shared ASL workloads.")
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD", help="names or name prefixes (default: all)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per measurement, the median is shown (default 3)")
    parser.add_argument("--whole-process", action="store_true", help="also time `python -m engine run` subprocesses")
    parser.add_argument("--compare-peer", action="store_true", help="also run ../shared/bench/peer.sh, side by side")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="whole-process runs without a .pyc cache or warm-up (see above)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per subprocess")
    args = parser.parse_args(argv)
    reps = max(1, args.reps)

    directory = workloads_dir()
    if not (directory / "manifest.json").is_file():
        message = (f"bench: no workloads at {directory} (no manifest.json): nothing to measure. They live in "
                   f"../shared/bench/workloads next to the repository; set {ENV_VAR} to use another folder.")
        print(json.dumps({"skipped": True, "reason": message}) if args.json else message)
        return 0
    manifest = load_manifest(directory)
    try:
        chosen = manifest.select(args.workloads)
    except KeyError as e:
        names = ", ".join(w.name for w in manifest.workloads)
        print(f"bench: no workload named {e.args[0]!r} (known: {names})", file=sys.stderr)
        return 2

    whole = args.whole_process or args.compare_peer
    results = []
    for workload in chosen:
        entry = {"workload": workload.name, "transitions": workload.transitions,
                 "in_process": measure_in_process(workload, directory, reps, args.timeout)}
        if whole:
            entry["whole_process"] = measure_whole_process(workload, directory, reps, args.timeout,
                                                           bytecode_cache=not args.no_bytecode_cache)
        if args.compare_peer:
            _progress(args, f"peer: {workload.name} ...")
            entry["peer"] = measure_peer(workload, directory, reps, args.timeout)
        results.append(entry)
        if not args.json:
            _progress(args, _progress_line(entry))

    start_up = measure_start_up(directory, reps, args.timeout) if whole else None
    goals = _goals(results, start_up)
    failed = [e["workload"] for e in results for key in ("in_process", "whole_process")
              if key in e and e[key]["status"] not in ("ok", "unsupported")]
    if args.json:
        print(json.dumps({"workloads_dir": str(directory), "reps": reps, "results": results, "start_up": start_up,
                          "goals": goals, "failed": sorted(set(failed))}, indent=1))
    else:
        _print_tables(results, goals, reps, directory, args.compare_peer, start_up)
        if failed:
            print(f"\nFAILED: {', '.join(sorted(set(failed)))} (wrong digest or a failed run; see above)")
    return 1 if failed else 0


def _progress(args, line):
    if not args.json:
        print(line, file=sys.stderr, flush=True)


def _progress_line(entry):
    r = entry["in_process"]
    return f"  {entry['workload']}: {r['status']}" + (f" {r['seconds']:.3f} s" if r.get("seconds") else "")


# ---------------------------------------------------------------- goals

def _goals(results, start_up=None) -> list:
    by_name = {e["workload"]: e for e in results}
    goals = []
    name, floor = GOAL_TRANSITIONS
    if name in by_name:
        r = by_name[name]["in_process"]
        value = r.get("transitions_per_s")
        goals.append({"goal": f"{name} in-process >= {floor:,} transitions/s", "binding": True,
                      "value": value, "shown": _fmt(value, ",d"), "met": bool(r["ok"] and value and value >= floor)})
    name, ceiling = GOAL_SECONDS
    if name in by_name:
        r = by_name[name]["in_process"]
        value = r.get("seconds")
        goals.append({"goal": f"{name} in-process < {ceiling} s", "binding": True,
                      "value": value, "shown": _fmt(value, ".3f") + " s",
                      "met": bool(r["ok"] and value is not None and value < ceiling)})
    for name in PEER_WORKLOADS:
        entry = by_name.get(name)
        if entry is None or "peer" not in entry:
            continue
        speedup = _speedup(entry)
        goals.append({"goal": f"{name} whole process >= {PEER_FACTOR}x faster than the peer", "binding": True,
                      "value": speedup, "shown": _fmt(speedup, ".1f") + "x",
                      "met": bool(speedup and speedup >= PEER_FACTOR)})
    if start_up is not None:
        value = start_up["import_ms"]
        goals.append({"goal": f"python -m engine's imports < {GOAL_IMPORT_MS} ms", "binding": True, "value": value,
                      "shown": f"{value:.1f} ms", "met": value < GOAL_IMPORT_MS})
    return goals


def _speedup(entry):
    ours, peer = entry.get("whole_process", {}), entry.get("peer", {})
    if not (ours.get("ok") and peer.get("ok") and ours.get("seconds") and peer.get("whole_s")):
        return None
    return peer["whole_s"] / ours["seconds"]


# ---------------------------------------------------------------- tables

def _fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


def _status(record):
    if record is None:
        return ""
    if record["status"] == "ok":
        return "ok"
    if record["status"] == "digest-mismatch":
        return f"MISMATCH {record.get('output_digest')} != {record.get('expected_digest')}"
    return f"{record['status'].upper()}: {(record.get('error') or '')[:90]}"


def _table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)),
             "  ".join("-" * w for w in widths)]
    for row in rows:
        lines.append("  ".join(str(c).rjust(w) if i and i < len(headers) - 1 else str(c).ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(line.rstrip() for line in lines)


def _print_tables(results, goals, reps, directory, compare_peer, start_up=None):
    print(f"Statelight bench: {directory} (median of {reps}; in-process = parse + run in a fresh child, "
          "no start-up; peak RSS via getrusage)")
    print()
    rows = []
    for e in results:
        r = e["in_process"]
        rows.append([e["workload"], f"{e['transitions']:,}", _fmt(r.get("seconds"), ".4f"),
                     _fmt(r.get("transitions_per_s"), ",d"), _fmt(r.get("peak_rss_mb"), ".1f"),
                     _fmt(r.get("rss_growth_mb"), "+.1f"), _status(r)])
    print(_table(["workload", "transitions", "seconds", "transitions/s", "peak RSS MB", "growth MB", "digest"], rows))

    if any("whole_process" in e for e in results):
        cache = next((e["whole_process"].get("bytecode_cache") for e in results if "whole_process" in e), None)
        print()
        print("Whole process: python -m engine run ... --fast-time (start-up included; "
              + (f".pyc cache {cache}, warmed)" if cache else "no .pyc cache, no warm-up)"))
        rows = []
        for e in results:
            w = e.get("whole_process")
            if w is None:
                continue
            rows.append([e["workload"], _fmt(w.get("seconds"), ".3f"), _fmt(w.get("peak_rss_mb"), ".1f"), _status(w)])
        print(_table(["workload", "seconds", "peak RSS MB", "digest"], rows))

    if compare_peer:
        peer_version = next((e["peer"].get("peer_version") for e in results if e["peer"].get("peer_version")), "?")
        print()
        print(f"Versus the peer (aws-local-stepfunctions {peer_version}, {peer_script(directory)}): "
              "peer whole = its median seconds + startup_s; speed-up = peer whole / Statelight whole")
        rows = []
        for e in results:
            w, p = e["whole_process"], e["peer"]
            speedup = _speedup(e)
            rows.append([e["workload"], _fmt(w.get("seconds"), ".3f"), _fmt(p.get("seconds"), ".3f"),
                         _fmt(p.get("startup_s"), ".3f"), _fmt(p.get("whole_s"), ".3f"),
                         _fmt(speedup, ".1f", "-") + ("x" if speedup else ""),
                         "ok" if p["ok"] else _status(p)])
        print(_table(["workload", "Statelight s", "peer s", "peer startup s", "peer whole s", "speed-up", "peer"],
                     rows))

    if start_up is not None:
        print()
        print(f"Start-up: python -c pass {start_up['interpreter_ms']:.1f} ms, python -c 'import engine.cli' "
              f"{start_up['with_engine_ms']:.1f} ms: the engine's imports take {start_up['import_ms']:.1f} ms")

    if goals:
        print()
        for g in goals:
            kind = "goal" if g["binding"] else "stretch"
            print(f"{kind:7} {'MET   ' if g['met'] else 'MISSED'} {g['goal']}: {g['shown']}")

if __name__ == "__main__":
    sys.exit(main())
