"""Handlers for the tests that run real server and worker processes (named by
STATELIGHT_HANDLERS there). Each call of Slow is written to the file named by
STATELIGHT_TEST_LOG ("start KEY" before its work, "done KEY" after), so a test
can count how many times each attempt ran across kills and restarts."""
import json
import os
import time

import engine


def attempt_key(execution_arn, state, attempt, task_input) -> str:
    return f"{execution_arn}|{state}|{attempt}|{json.dumps(task_input, sort_keys=True, separators=(',', ':'))}"


def _log(line: str):
    path = os.environ.get("STATELIGHT_TEST_LOG")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


@engine.task_handler("Slow")
def slow(task_input, context):
    key = attempt_key(context.execution_arn, context.state_name, context.attempt, task_input)
    _log(f"start {os.getpid()} {key}")
    time.sleep(float(os.environ.get("STATELIGHT_TEST_SLOW_SECONDS", "0.3")))
    _log(f"done {os.getpid()} {key}")
    steps = task_input.get("steps", []) if isinstance(task_input, dict) else []
    return {**(task_input if isinstance(task_input, dict) else {}), "steps": steps + [context.state_name]}


@engine.task_handler("Noop")
def noop(task_input, context):
    return None
