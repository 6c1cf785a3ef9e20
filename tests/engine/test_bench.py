"""The benchmark (`python -m bench`): it runs, checks digests, and steps aside without workloads.

No timing is asserted here: the machine's load decides timings, the bench only reports them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from bench import echo
from bench.__main__ import main
from bench.workloads import ENV_VAR, canon, digest, load_manifest, workloads_dir

REPO = Path(__file__).resolve().parents[2]
SMALL = ["w1_pass_chain_2k", "w2_map_inline_1k", "w4_task_chain_1k"]


def bench(*args, env_workloads=None, cache_home=None):
    env = dict(os.environ)
    if env_workloads is not None:
        env[ENV_VAR] = str(env_workloads)
    if cache_home is not None:
        env["XDG_CACHE_HOME"] = str(cache_home)
    proc = subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    return proc


def write_workloads(folder: Path, workloads: list[dict]) -> Path:
    """A workloads folder of one's own: {name, definition, input, expected (output), ...}."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for w in workloads:
        (folder / f"{w['name']}.asl.json").write_text(json.dumps(w["definition"]))
        (folder / f"{w['name']}.input.json").write_text(json.dumps(w["input"]))
        entries.append({"name": w["name"], "id": "T", "definition": f"{w['name']}.asl.json",
                        "input": f"{w['name']}.input.json", "transitions": w.get("transitions", 2),
                        "expected_digest": w.get("digest") or digest(w["expected"]), "features": [],
                        "needs_echo_task": w.get("echo", False), "extra": False, "jsonata": w.get("jsonata", False)})
    (folder / "manifest.json").write_text(json.dumps({"echo_resource": echo.ECHO_RESOURCE, "workloads": entries}))
    return folder


PASS_TWICE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"n": 1.0}, "Next": "B"},
                                         "B": {"Type": "Pass", "End": True}}}
ECHO_ONCE = {"StartAt": "E", "States": {"E": {"Type": "Task", "Resource": echo.ECHO_RESOURCE, "End": True}}}


# ---------------------------------------------------------------- without the shared workloads

def test_exits_cleanly_when_the_workloads_are_absent(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    assert main(["--reps", "1"]) == 0
    out = capsys.readouterr().out
    assert "no workloads" in out and str(tmp_path / "nowhere") in out


def test_exits_cleanly_when_the_workloads_are_absent_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    assert main(["--json", "--compare-peer"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] is True


def test_the_default_folder_is_shared_next_to_the_repository(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert workloads_dir() == (REPO.parent / "shared" / "bench" / "workloads").resolve()


def test_a_workload_of_ones_own_runs_in_process_and_whole(tmp_path):
    folder = write_workloads(tmp_path / "w", [
        {"name": "t_pass", "definition": PASS_TWICE, "input": {}, "expected": {"n": 1.0}},
        {"name": "t_echo", "definition": ECHO_ONCE, "input": {"a": [1]}, "expected": {"a": [1], "echoed": True},
         "echo": True, "transitions": 1},
    ])
    proc = bench("--reps", "1", "--whole-process", "--no-bytecode-cache", "--json", env_workloads=folder)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    for entry in report["results"]:
        for mode in ("in_process", "whole_process"):
            record = entry[mode]
            assert record["status"] == "ok", record
            assert record["seconds"] > 0 and record["peak_rss_mb"] > 0


def test_a_wrong_digest_is_reported_and_fails_the_run(tmp_path):
    folder = write_workloads(tmp_path / "w", [
        {"name": "t_pass", "definition": PASS_TWICE, "input": {}, "digest": "0000000000000000"},
    ])
    proc = bench("--reps", "1", env_workloads=folder)
    assert proc.returncode == 1
    assert "MISMATCH" in proc.stdout and "FAILED: t_pass" in proc.stdout


def test_a_jsonata_workload_the_engine_cannot_run_is_reported_not_crashed(tmp_path):
    broken = {"QueryLanguage": "JSONata", "StartAt": "A",
              "States": {"A": {"Type": "Choice", "Choices": [{"Condition": "{% $undefined_fn() %}", "Next": "A"}]}}}
    folder = write_workloads(tmp_path / "w", [
        {"name": "t_jsonata", "definition": broken, "input": {}, "expected": {}, "jsonata": True},
    ])
    proc = bench("--reps", "1", "--json", env_workloads=folder)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)["results"][0]["in_process"]
    assert record["status"] == "unsupported" and record["ok"] is False


def test_an_unknown_workload_name_is_a_usage_error(tmp_path):
    folder = write_workloads(tmp_path / "w", [{"name": "t_pass", "definition": PASS_TWICE, "input": {},
                                               "expected": {"n": 1.0}}])
    assert bench("nope", env_workloads=folder).returncode == 2


def test_echo_handler_adds_echoed():
    machine = engine.parse(ECHO_ONCE)
    result = engine.run(machine, {"i": 1, "meta": {"x": [1, 2]}}, fast_time=True)
    assert result.status == "SUCCEEDED"
    assert result.output == {"i": 1, "meta": {"x": [1, 2]}, "echoed": True}


# ---------------------------------------------------------------- canonical JSON as JavaScript writes it

@pytest.mark.parametrize("value, text", [
    (1, "1"), (1.0, "1"), (-0.0, "0"), (0.1, "0.1"), (2.5e-7, "2.5e-7"), (1e-6, "0.000001"), (1e16, "10000000000000000"),
    (1e21, "1e+21"), (1.5e300, "1.5e+300"), (2 ** 60, "1152921504606847000"), (float("nan"), "null"),
    ("é\u2028", '"é\u2028"'), ("\x00\x1f", '"\\u0000\\u001f"'), ("\ud800", '"\\ud800"'),
    ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
    ({"\ue000": 1, "\U0001f600": 2, "Z": 3}, '{"Z":3,"\U0001f600":2,"\ue000":1}'),  # UTF-16 order, as JS sorts
])
def test_canon_matches_javascript(value, text):
    assert canon(value) == text


def test_digest_is_sha256_of_canon_first_16_hex():
    assert digest({"a": 1}) == "015abd7f5cc57a2d"


# ---------------------------------------------------------------- the shared workloads, when present

shared = pytest.mark.skipif(not (workloads_dir() / "manifest.json").is_file(), reason="no ../shared/bench/workloads")


@shared
def test_the_small_shared_workloads_give_the_expected_digests():
    proc = bench(*SMALL, "--reps", "1", "--json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert [e["workload"] for e in report["results"]] == SMALL
    for entry in report["results"]:
        record = entry["in_process"]
        assert record["ok"] and record["output_digest"] == record["expected_digest"], record
        assert record["transitions_per_s"] > 0 and record["peak_rss_mb"] > 0


@shared
def test_w4_runs_as_a_whole_process_with_the_echo_handler_module(tmp_path):
    proc = bench("w4_task_chain_1k", "--reps", "1", "--whole-process", "--json", cache_home=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    record = json.loads(proc.stdout)["results"][0]["whole_process"]
    assert record["ok"] and "--handlers bench.echo" in record["command"], record
    assert record["bytecode_cache"].startswith(str(tmp_path))  # .pyc files kept out of the tree and $HOME


@shared
def test_the_manifest_names_the_echo_resource_bench_echo_answers():
    assert load_manifest(workloads_dir()).echo_resource == echo.ECHO_RESOURCE
