"""Callbacks (.waitForTaskToken) and the answers that come with a task token."""
import json

import pytest

import engine
from designer import runtime as rt
from designer.models import Effect, HistoryEvent, TaskToken

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Mailbox", "Payload": {"token.$": "$$.Task.Token", "q.$": "$.q"}},
            "HeartbeatSeconds": 60, "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}
mailbox = []


@engine.task_handler("Mailbox")
def mail(task_input, context):
    mailbox.append((task_input, context.token))
    return {"accepted": True}  # ignored: the answer comes with the token


@pytest.fixture
def waiting(machine, alice, worker):
    """An execution waiting for its callback, and the token its resource was given."""
    mailbox.clear()
    execution = rt.start_execution(machine("Callback", CALLBACK), owner=alice, input_text='{"q": 7}')
    worker.drain()
    [(payload, token)] = mailbox
    assert payload == {"token": token, "q": 7}
    return execution, token


def test_the_token_is_long_random_and_stored_once(waiting):
    execution, token = waiting
    assert len(token) >= 22  # >= 128 random bits, URL-safe base64
    stored = TaskToken.objects.get(execution=execution)
    assert stored.token == token and stored.kind == "callback" and stored.answered_at is None
    assert Effect.objects.get(execution=execution, kind="task").state == "waiting"


def test_send_task_success_continues_the_execution(waiting, worker):
    execution, token = waiting
    rt.send_task_success(token, '{"answer": 42}')
    worker.drain()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"answer": 42}
    types = list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))
    assert "TaskSucceeded" in types


def test_a_token_answers_once(waiting, worker):
    _, token = waiting
    rt.send_task_success(token, "{}")
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_success(token, "{}")
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_failure(token, "Late", "too late")
    worker.drain()
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_heartbeat(token)


def test_send_task_failure_fails_the_task(waiting, worker):
    execution, token = waiting
    rt.send_task_failure(token, "Rejected", "the person said no")
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Rejected", "the person said no")


def test_unknown_and_malformed_tokens(waiting):
    with pytest.raises(rt.InvalidToken):
        rt.send_task_success("not a token!", "{}")
    with pytest.raises(rt.InvalidToken):
        rt.send_task_success("", "{}")
    with pytest.raises(rt.TaskDoesNotExist):
        rt.send_task_success("A" * 43, "{}")


def test_output_must_be_json_of_at_most_256_kib(waiting):
    _, token = waiting
    with pytest.raises(rt.InvalidOutput):
        rt.send_task_success(token, "{not json")
    with pytest.raises(rt.InvalidOutput):
        rt.send_task_success(token, json.dumps({"big": "x" * (256 * 1024)}))
    rt.send_task_success(token, '"fine"')  # still open: a refused answer did not use it


def test_heartbeats_keep_a_task_alive_and_their_absence_times_it_out(machine, alice, clock):
    mailbox.clear()
    execution = rt.start_execution(machine("Callback", CALLBACK), owner=alice, input_text='{"q": 1}')
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.drain()
    [(_, token)] = mailbox
    for _ in range(3):
        clock.advance(50)
        rt.send_task_heartbeat(token)
        worker.drain()
    execution.refresh_from_db()
    assert execution.status == "RUNNING"
    clock.advance(60)
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("FAILED", "States.HeartbeatTimeout")
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_success(token, "{}")


def test_a_stopped_execution_closes_its_tokens(waiting):
    execution, token = waiting
    stopped = rt.stop_execution(execution, error="Cancelled", cause="by a test")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Cancelled", "by a test")
    with pytest.raises(rt.TaskTimedOut):
        rt.send_task_success(token, "{}")
