"""The command-line contract used by ../shared/conformance (run.py) and by people."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PASS_MACHINE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": True}}}
FAIL_MACHINE = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}


def engine_cli(*args, stdin=None):
    result = subprocess.run([sys.executable, "-m", "engine", *map(str, args)], cwd=ROOT, capture_output=True,
                            text=True, input=stdin, timeout=60)
    return result.returncode, result.stdout, result.stderr


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return path


def test_it_prints_one_json_object_and_exits_0_on_success(tmp_path):
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", PASS_MACHINE), "--input", write(tmp_path, "i.json", {"a": 7}))
    assert code == 0
    assert json.loads(out) == {"status": "SUCCEEDED", "output": {"x": 7}, "error": None, "cause": None}


def test_it_reads_input_from_stdin(tmp_path):
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", PASS_MACHINE), "--input", "-", stdin='{"a": [1]}')
    assert (code, json.loads(out)["output"]) == (0, {"x": [1]})


def test_it_exits_1_on_a_failed_execution(tmp_path):
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", FAIL_MACHINE))
    assert code == 1
    assert json.loads(out) == {"status": "FAILED", "output": None, "error": "Boom", "cause": "it broke"}


def test_it_exits_2_with_problems_for_an_invalid_definition(tmp_path):
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", broken))
    result = json.loads(out)
    assert code == 2 and result["status"] == "INVALID"
    assert any(p["path"] == "/States/A/Next" for p in result["problems"])


def test_it_exits_2_with_a_message_for_malformed_json(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{not json")
    code, out, err = engine_cli("run", path)
    assert code == 2 and out == ""
    assert "not valid JSON" in err and "line 1" in err


def test_it_includes_history_when_asked(tmp_path):
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", PASS_MACHINE), "--history", "--input", "-", stdin='{"a": 1}')
    history = json.loads(out)["history"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in history] == [1, 2, 3, 4]


def test_it_fails_the_execution_at_the_history_limit(tmp_path):
    loop = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "C"}], "Default": "A"},
        "C": {"Type": "Succeed"}}}
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", loop), "--history-limit", "100")
    result = json.loads(out)
    assert code == 1 and result["error"] == "States.Runtime" and "100" in result["cause"]


def test_it_runs_local_handlers_from_a_module(tmp_path):
    (tmp_path / "my_handlers.py").write_text(
        "import engine\n"
        "@engine.task_handler('FirstFunction')\n"
        "def first(event, context):\n"
        "    return {'first': event, 'state': context.state_name}\n"
    )
    machine = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction", "End": True}}}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "run", str(write(tmp_path, "m.json", machine)), "--handlers", "my_handlers"],
        cwd=ROOT, capture_output=True, text=True, env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)})
    assert json.loads(result.stdout)["output"] == {"first": {}, "state": "T"}


def test_it_uses_the_chosen_mock_test_case(tmp_path):
    machine = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": True}}}
    mocks = {"StateMachines": {"m": {"TestCases": {"Happy": {"T": "R"}}}},
             "MockedResponses": {"R": {"0": {"Return": {"ok": 1}}}}}
    code, out, _ = engine_cli("run", write(tmp_path, "m.json", machine), "--mock-config",
                              write(tmp_path, "mocks.json", mocks), "--test-case", "Happy")
    assert (code, json.loads(out)["output"]) == (0, {"ok": 1})


@pytest.mark.parametrize("args, message", [
    (["--test-case", "X"], "go together"),
    (["--handlers", "no_such_module_here"], "cannot import handler module"),
])
def test_it_explains_bad_arguments(tmp_path, args, message):
    code, out, err = engine_cli("run", write(tmp_path, "m.json", PASS_MACHINE), *args)
    assert code == 2 and message in err


def test_validate_prints_an_empty_problem_list_for_a_valid_definition(tmp_path):
    code, out, _ = engine_cli("validate", write(tmp_path, "m.json", PASS_MACHINE))
    assert (code, json.loads(out)) == (0, {"problems": []})


BLOCK_IMPORT = ("import sys, runpy; sys.modules[sys.argv.pop(1)] = None; sys.argv[0] = 'engine'; "
                "runpy.run_module('engine', run_name='__main__', alter_sys=True)")


@pytest.mark.parametrize("module, package, example", [
    ("jsonata", "jsonata-python", "examples/order_total.asl.json"),
    ("jsonpath_ng", "jsonpath-ng", None),
])
def test_a_missing_package_is_named_with_how_to_install_it_never_a_definition_problem(tmp_path, module, package,
                                                                                       example):
    """issue 10 §3: without jsonata-python, `run examples/order_total.asl.json` printed 11 problems."""
    definition = ROOT / example if example else write(tmp_path, "m.json", {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"all.$": "$..a"}, "End": True}}})
    for command in ("run", "validate"):
        result = subprocess.run([sys.executable, "-c", BLOCK_IMPORT, module, command, str(definition)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stdout) == (2, "")
        assert f"the Python package {package} (module '{module}') is not installed" in result.stderr
        assert ".venv/bin/python -m engine" in result.stderr and "pip install -e ." in result.stderr
        assert "problem" not in result.stderr.lower()


def test_it_refuses_bad_input_files_with_a_message(tmp_path):
    definition = write(tmp_path, "m.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 3000 + "]" * 3000)
    for bad, says in ((deep, "nested more than 500 levels deep"), ("-", "NaN is not a JSON value")):
        result = subprocess.run([sys.executable, "-m", "engine", "run", str(definition), "--input", str(bad)],
                                cwd=ROOT, capture_output=True, text=True, input="NaN", timeout=60)
        assert (result.returncode, result.stdout) == (2, "") and says in result.stderr
        assert "Traceback" not in result.stderr
