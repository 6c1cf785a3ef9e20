"""Benchmark the durable runtime on SQLite: executions started per second and persisted
transitions per second (history, frames, effects and the execution row written per step).

    python -m bench.runtime [--executions N] [--workload NAME ...] [--shared [NAME ...]] [--json] [--keep DIR]

A fresh SQLite file (WAL, as the embedded default) in a temporary folder, migrated first.
Figures are wall-clock; `cpu` is the CPU time the process used meanwhile (all its threads), a
steadier figure on a machine shared with other work.

  start        N × start_execution() (the runtime's side of StartExecution: validation, the
               execution row and its START inbox item, one transaction each), one thread.
  run          N executions of the workload started, then a Runtime (its loop thread and task
               pool, as inside runserver) runs them all to the end; timed from the first
               start to the last execution closed.
               transitions/s  states entered (AWS's state transitions) / seconds
               events/s       history events stored / seconds
               steps/s        runtime steps (transactions that advanced an execution) / seconds

Workloads:
  tasks    the seed's two tasks (Lambda handlers FirstFunction, SecondFunction): a step per task
  chain    20 Pass states then a task: many transitions per step
  map      a Map of 20 items over a handler task, MaxConcurrency 0
  six      bench.api's end-to-end machine: Pass, Choice, Task (a Python handler), Pass, Wait 0, Succeed
  mixed    Parallel(2 branches of a task) then Choice then Pass: fan-out and join

  shared   the shared ASL workloads (../shared/bench/workloads, see `python -m bench`) that fit
           AWS's 25,000-event history limit: w1_pass_chain_2k, w1u_pass_unrolled_2k,
           w2_map_inline_1k, w3_parallel_fanout, w4_task_chain_1k (its Echo handler: bench.echo),
           w5_choice_heavy_5k; --executions/10 of each at once, outputs checked against the
           manifest's digests.

Goals (issue 12, on the 2-core reference machine), printed beside the figures: `six` >= 300
executions/s completed; >= 5,000 persisted transitions/s for short executions (the best of tasks,
chain, six and mixed). Here the runtime runs alone; `python -m bench.api` measures the same
through a real server with the calls coming meanwhile.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GOAL_EXECUTIONS = ("six", 300)
GOAL_TRANSITIONS = (("tasks", "chain", "six", "mixed"), 5000)

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
# bench.api's end-to-end machine: Pass, Choice, Task (a Python handler), Pass, Wait 0, Succeed
SIX_STATES = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Result": 1, "ResultPath": "$.prepared", "Next": "Route"},
    "Route": {"Type": "Choice", "Choices": [{"Variable": "$.prepared", "NumericEquals": 1, "Next": "Work"}],
              "Default": "Work"},
    "Work": {"Type": "Task", "Resource": LAMBDA + "FirstFunction", "Next": "Tidy"},
    "Tidy": {"Type": "Pass", "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
    "Done": {"Type": "Succeed"}}}
WORKLOADS = {
    "tasks": ({"StartAt": "FirstTask", "States": {
        "FirstTask": {"Type": "Task", "Resource": LAMBDA + "FirstFunction", "Next": "SecondTask"},
        "SecondTask": {"Type": "Task", "Resource": LAMBDA + "SecondFunction", "End": True}}}, {"order": 1}),
    "chain": ({"StartAt": "P0", "States": {
        **{f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(20)},
        "P20": {"Type": "Task", "Resource": LAMBDA + "FirstFunction", "End": True}}}, {"order": 1}),
    "map": ({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Task", "Resource": LAMBDA + "TaskA",
                                                                "End": True}}}}}},
        {"items": list(range(20))}),
    "six": (SIX_STATES, {"order": 1}),
    "mixed": ({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Next": "Check", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": LAMBDA + "TaskA", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": LAMBDA + "TaskB", "End": True}}}]},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$[0].task", "StringEquals": "TaskA", "Next": "Done"}],
                  "Default": "Done"},
        "Done": {"Type": "Pass", "End": True}}}, {"order": 1}),
}


SHARED = ("w1_pass_chain_2k", "w1u_pass_unrolled_2k", "w2_map_inline_1k", "w3_parallel_fanout", "w4_task_chain_1k",
          "w5_choice_heavy_5k")


def setup_django(directory: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "statelight.settings"
    os.environ.setdefault("STATELIGHT_HANDLERS", "examples.handlers,bench.echo")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_machine(owner, name, definition):
    from designer import accounts, arns
    from designer.models import StateMachine

    return StateMachine.objects.create(arn=arns.arn("stateMachine", "us-east-1", name, account=accounts.account_id(owner)), name=name,
                                       region="us-east-1", owner=owner, definition=json.dumps(definition))


def measure_start(owner, count: int) -> dict:
    from designer import runtime as rt
    machine = make_machine(owner, "StartOnly", WORKLOADS["tasks"][0])
    began = time.perf_counter()
    for _ in range(count):
        rt.start_execution(machine, owner=owner, input_text='{"order": 1}')
    seconds = time.perf_counter() - began
    machine.delete()  # its executions are not to be run by the next measurement's runtime
    return {"measure": "start", "executions": count, "seconds": round(seconds, 3),
            "executions_per_s": round(count / seconds)}


def measure_run(owner, name: str, count: int, definition=None, payload=None, expected_digest=None) -> dict:
    from django.db.models import Count, Sum

    from designer import runtime as rt
    from designer.models import Execution, HistoryEvent

    if definition is None:
        definition, payload = WORKLOADS[name]
    machine = make_machine(owner, f"Run-{name}", definition)
    runtime = rt.Runtime()
    began, cpu = time.perf_counter(), time.process_time()
    executions = [rt.start_execution(machine, owner=owner, input_text=json.dumps(payload)) for _ in range(count)]
    runtime.start()
    try:
        for execution in executions:
            rt.wait_for_execution(execution, timeout=600)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        runtime.stop()
    rows = Execution.objects.filter(machine=machine)
    statuses = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    events = rows.aggregate(n=Sum("runtime_state__last_event_id"))["n"]
    transitions = HistoryEvent.objects.filter(execution__machine=machine, type__endswith="StateEntered").count()
    steps = rows.aggregate(n=Sum("runtime_state__revision"))["n"]
    record = {"measure": "run", "workload": name, "executions": count, "statuses": statuses,
              "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "transitions": transitions,
              "events": events, "steps": steps, "transitions_per_s": round(transitions / seconds),
              "transitions_per_cpu_s": round(transitions / cpu), "events_per_s": round(events / seconds),
              "steps_per_s": round(steps / seconds), "executions_per_s": round(count / seconds)}
    if expected_digest is not None:
        from bench.workloads import digest

        digests = {digest(json.loads(output)) for output in rows.values_list("output", flat=True)
                   if output is not None}
        record["digest_ok"] = digests == {expected_digest}
        if not record["digest_ok"]:
            record["statuses"]["DIGEST-MISMATCH"] = len(digests)
        failed = rows.exclude(status="SUCCEEDED").values_list("error", "cause").first()
        if failed:
            record["first_failure"] = failed
    return record


def shared_workloads(names):
    from bench.workloads import load_manifest, workloads_dir

    directory = workloads_dir()
    if not (directory / "manifest.json").is_file():
        print(f"bench.runtime: no shared workloads at {directory}; skipping them", file=sys.stderr)
        return []
    manifest = load_manifest(directory)
    return [w for w in manifest.select(names or list(SHARED)) if not w.jsonata]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runtime", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--executions", type=int, default=300, help="executions per measurement (default 300)")
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS) + ["none"],
                        help="default: all; `none` for only --shared")
    parser.add_argument("--shared", nargs="*", metavar="NAME",
                        help="also (or with --workload none: only) the shared workloads; names or prefixes")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    parser.add_argument("--keep", metavar="DIR", help="put the SQLite file in DIR and keep it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="statelight-bench-") as tmp:
        directory = Path(args.keep or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        setup_django(directory)
        from django.contrib.auth import get_user_model

        owner = get_user_model().objects.create_user(f"bench-{time.time_ns()}")
        records = [measure_start(owner, args.executions)]
        for name in args.workload or list(WORKLOADS):
            if name != "none":
                records.append(measure_run(owner, name, args.executions))
        if args.shared is not None:
            for workload in shared_workloads(args.shared):
                definition, payload = workload.load()
                records.append(measure_run(owner, workload.name, max(1, args.executions // 10), definition,
                                           payload, workload.expected_digest))

    ok = all(r.get("statuses", {"SUCCEEDED": 1}).keys() == {"SUCCEEDED"} for r in records)
    goals = judge(records)
    if args.json:
        print(json.dumps({"records": records, "ok": ok, "goals": goals}))
        return 0 if ok else 1
    for r in records:
        if r["measure"] == "start":
            print(f"start_execution      {r['executions']:6d} executions  {r['seconds']:7.2f} s  "
                  f"{r['executions_per_s']:6d} executions/s")
        else:
            print(f"run {r['workload']:<21} {r['executions']:5d} executions  {r['seconds']:7.2f} s "
                  f"(cpu {r['cpu_seconds']:6.2f} s)  {r['transitions_per_s']:6d} transitions/s "
                  f"({r['transitions_per_cpu_s']:6d}/cpu-s)  {r['events_per_s']:6d} events/s  "
                  f"{r['steps_per_s']:5d} steps/s  {r['statuses']}")
            if r.get("first_failure"):
                print(f"    first failure: {r['first_failure'][0]}: {str(r['first_failure'][1])[:300]}")
    for goal in goals:
        print(f"goal {goal['goal']}: {goal['shown']}  {'met' if goal['met'] else 'NOT met'}")
    return 0 if ok else 1


def judge(records) -> list:
    """Each goal whose workload ran, with its figure."""
    runs = {r["workload"]: r for r in records if r["measure"] == "run"}
    goals = []
    name, floor = GOAL_EXECUTIONS
    if name in runs:
        value = runs[name]["executions_per_s"]
        goals.append({"goal": f"{name} >= {floor} executions/s", "value": value, "shown": f"{value}/s",
                      "met": value >= floor})
    names, floor = GOAL_TRANSITIONS
    ran = [runs[n] for n in names if n in runs]
    if ran:
        best = max(ran, key=lambda r: r["transitions_per_s"])
        goals.append({"goal": f"short executions >= {floor:,} persisted transitions/s",
                      "value": best["transitions_per_s"], "shown": f"{best['transitions_per_s']:,}/s ({best['workload']})",
                      "met": best["transitions_per_s"] >= floor})
    return goals


if __name__ == "__main__":
    sys.exit(main())
