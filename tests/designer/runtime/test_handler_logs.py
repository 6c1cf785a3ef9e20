"""What a Python handler logs and prints is kept with each task attempt (designer/resources/handler_logs.py,
TaskLog), per call and per thread, bounded, and never at the cost of the task."""
import logging
import sys
import threading
import uuid

import pytest

import engine
from designer import runtime as rt
from designer.models import Effect, HistoryEvent, TaskLog
from designer.resources import handler_logs
from engine.handlers import default_registry
from tests.helpers import FakeClock

pytestmark = pytest.mark.django_db(transaction=True)

kitchen = logging.getLogger("tests.kitchen")


@pytest.fixture(autouse=True)
def registry_as_it_was():
    exact, patterns = dict(default_registry.exact), list(default_registry.patterns)
    yield
    default_registry.exact.clear()
    default_registry.exact.update(exact)
    default_registry.patterns[:] = patterns


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def worker(clock):
    return rt.Runtime(inline_tasks=True, worker_id=f"test:logs:{uuid.uuid4().hex[:6]}", clock=clock)


def lambda_task(name, **state):
    return {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{name}", "End": True, **state}}}


def messages(row):
    return [(line["level"], line["logger"], line["message"]) for line in row.lines]


def test_what_a_handler_logs_and_prints_is_kept_per_attempt(machine, alice, worker, clock):
    @engine.task_handler("LoggingOven")
    def oven(task_input, context):
        kitchen.debug("not kept: below INFO")
        kitchen.info("attempt %d: oven at %d°C", context.attempt + 1, 250)
        print("a print", "in two parts")
        sys.stderr.write("to stderr, without a newline")
        if context.attempt == 0:
            kitchen.warning("too cold")
            raise RuntimeError("the oven is not hot yet")
        return {"baked": True}

    execution = rt.start_execution(machine("Oven", lambda_task("LoggingOven", Retry=[
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}])), owner=alice)
    worker.drain()
    clock.advance(2)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    entered = HistoryEvent.objects.get(execution=execution, type="TaskStateEntered").event_id
    first, second = TaskLog.objects.filter(execution=execution).order_by("attempt")
    assert [(r.state_name, r.entered_event_id, r.attempt, r.dropped) for r in (first, second)] == [
        ("T", entered, 0, 0), ("T", entered, 1, 0)]
    assert messages(first) == [
        ("INFO", "tests.kitchen", "attempt 1: oven at 250°C"), ("STDOUT", "", "a print in two parts"),
        ("WARNING", "tests.kitchen", "too cold"), ("STDERR", "", "to stderr, without a newline")]
    assert messages(second)[0] == ("INFO", "tests.kitchen", "attempt 2: oven at 250°C")
    assert all(isinstance(line["time"], float) for line in first.lines)
    assert not Effect.objects.filter(execution=execution).exists()  # the log outlives its task's effect


def test_a_handler_that_logs_nothing_stores_nothing_and_a_callbacks_lines_are_kept_while_it_waits(
        machine, alice, worker):
    engine.task_handler("Quiet")(lambda task_input, context: {})

    @engine.task_handler("Outbox")
    def outbox(task_input, context):
        print("sent the token to the outbox")

    quiet = rt.start_execution(machine("Quiet", lambda_task("Quiet")), owner=alice)
    waiting = rt.start_execution(machine("Waits", {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Outbox", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}),
        owner=alice)
    worker.drain()
    assert not TaskLog.objects.filter(execution=quiet).exists()
    [row] = TaskLog.objects.filter(execution=waiting)
    assert messages(row) == [("STDOUT", "", "sent the token to the outbox")]


def test_capture_in_one_thread_never_picks_up_another_threads_lines():
    ready = threading.Barrier(3)
    results = {}

    def cook(name, captures):
        def run():
            if captures:
                with handler_logs.capture() as captured:
                    ready.wait()
                    for i in range(50):
                        kitchen.info("%s %d", name, i)
                        print(f"{name} print {i}")
                    ready.wait()  # everyone has written before anyone stops capturing
                results[name] = captured.result()
            else:
                ready.wait()
                for i in range(50):
                    kitchen.warning("%s %d", name, i)
                    print(f"{name} print {i}")
                ready.wait()
        return threading.Thread(target=run)

    threads = [cook("alpha", True), cook("beta", True), cook("outsider", False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for name in ("alpha", "beta"):
        lines = [line["message"] for line in results[name]["lines"]]
        assert len(lines) == 100 and all(line.startswith(f"{name} ") for line in lines), lines[:5]


def test_the_lines_are_bounded_and_say_so():
    captured = handler_logs.Capture(max_lines=200, max_bytes=64 * 1024)
    for i in range(500):
        captured.add("INFO", "x", f"line {i}", 0.0)
    result = captured.result()
    assert (len(result["lines"]), result["dropped"], result["lines"][0]["message"]) == (200, 300, "line 300")
    captured = handler_logs.Capture(max_lines=200, max_bytes=20_000)
    for i in range(5):
        captured.add("INFO", "x", "y" * 9000, 0.0)
    result = captured.result()
    assert result["dropped"] == 3 and result["lines"][0]["message"].endswith("(truncated)")
    captured = handler_logs.Capture()
    captured.add("INFO", "x", "nul \x00 and a lone \udcff surrogate", 0.0)
    assert captured.result()["lines"][0]["message"] == "nul \\x00 and a lone ? surrogate"


def test_the_console_shows_what_it_showed_before():
    gate = handler_logs._AsBefore(logging.WARNING)
    record = logging.getLogger("tests.kitchen").makeRecord("tests.kitchen", logging.INFO, __file__, 1, "x", (), None)
    assert gate.filter(record) is False  # under the root's old level: it never reached the console
    logging.getLogger("tests.chatty").setLevel(logging.INFO)
    try:
        record.name = "tests.chatty.inner"
        assert gate.filter(record) is True  # its logger let it through by its own level, as before
    finally:
        logging.getLogger("tests.chatty").setLevel(logging.NOTSET)
    record.levelno = logging.ERROR
    assert gate.filter(record) is True


def test_a_capture_that_fails_never_fails_the_task(machine, alice, worker, monkeypatch):
    def broken(level):
        raise RuntimeError("no capture today")

    monkeypatch.setattr(handler_logs, "_install", broken)

    @engine.task_handler("StillWorks")
    def still_works(task_input, context):
        kitchen.info("nobody keeps this")
        return {"ok": True}

    execution = rt.start_execution(machine("Works", lambda_task("StillWorks")), owner=alice)
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED" and not TaskLog.objects.filter(execution=execution).exists()
