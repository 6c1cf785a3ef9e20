"""The durability workflows and their server, shared by the tests that kill, restart and scale
out the runtime (test_durability.py, test_scale_out.py, test_commands.py)."""
import time

from designer.models import Effect
from tests.runserver import RunServer

from .durable_handlers import attempt_key

SLOW = "arn:aws:lambda:us-east-1:123456789012:function:Slow"


def slow(next_state=None, **extra):
    state = {"Type": "Task", "Resource": SLOW, **extra}
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


WORKFLOWS = {
    "Chain": ({"StartAt": "A", "States": {"A": slow("B"), "B": slow("C"), "C": slow()}},
              lambda n: {"n": n},
              lambda n: {"n": n, "steps": ["A", "B", "C"]}),
    "Nap": ({"StartAt": "Begin", "States": {
        "Begin": {"Type": "Pass", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Work"},
        "Work": slow()}},
        lambda n: {"n": n},
        lambda n: {"n": n, "steps": ["Work"]}),
    "Fan": ({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work", "States": {"Work": slow()}}}}},
        lambda n: {"items": [{"n": n, "i": i} for i in range(5)]},
        lambda n: [{"n": n, "i": i, "steps": ["Work"]} for i in range(5)]),
    "Branches": ({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Left", "States": {"Left": slow()}},
        {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "Next": "Right"}, "Right": slow()}},
        {"StartAt": "Middle", "States": {"Middle": slow()}}]}}},
        lambda n: {"n": n},
        lambda n: [{"n": n, "steps": ["Left"]}, {"n": n, "steps": ["Right"]}, {"n": n, "steps": ["Middle"]}]),
    "Ask": ({"StartAt": "Before", "States": {
        "Before": slow("Ask"),
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Noop", "Payload": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.answer", "Next": "After"},
        "After": slow()}},
        lambda n: {"n": n},
        lambda n: {"n": n, "steps": ["Before", "After"], "answer": {"approved": n}}),
}
PER_WORKFLOW = 3


def durable_server(url, log_path, tmp_path) -> RunServer:
    """A server whose handlers record each attempt in log_path."""
    return RunServer(url, tmp_path / "server.log", STATELIGHT_TEST_LOG=str(log_path), DJANGO_SECRET_KEY="durability-test",
                     STATELIGHT_HANDLERS="examples.handlers,tests.designer.runtime.durable_handlers")


def log_lines(path):
    if not path.exists():
        return []
    return [line.split(" ", 2) for line in path.read_text().splitlines() if line]


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(message)


def in_flight_keys():
    """The Slow attempts outstanding in the store (so possibly running when the server died)."""
    keys = set()
    for effect in Effect.objects.filter(kind="task"):
        p = effect.payload
        if p["resource"] == SLOW:
            keys.add(attempt_key(p["context"]["Execution"]["Id"], p["state"], p["attempt"], p["input"]))
    return keys
