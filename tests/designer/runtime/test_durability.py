"""Kill a real server with SIGKILL in the middle of running executions, start it again, and
every execution finishes as if nothing happened: right output, history ids 1..N without gaps or
duplicates, and no committed step ran twice (only a task in flight at the kill may run again)."""
import collections
import json

from django.contrib.auth import get_user_model

from designer import runtime as rt
from designer.models import Effect, Execution, HistoryEvent, TaskToken
from tests.helpers import make_machine, migrated_sqlite, using_database

from .durable import PER_WORKFLOW, WORKFLOWS, durable_server, in_flight_keys, log_lines, wait_until


def diagnose(execution) -> str:
    """What a stuck execution waits for, for the failure message."""
    row = Execution.objects.get(pk=execution.pk)
    events = [(e.event_id, e.type) for e in HistoryEvent.objects.filter(execution=row).order_by("event_id")]
    effects = list(Effect.objects.filter(execution=row).values("effect_id", "kind", "state", "claimed_by",
                                                               "claimed_until", "due_at"))
    inbox = list(row.inbox.values("kind", "effect_id"))
    state = row.runtime_state
    return (f"{row.name} still runs: lease {state.lease_owner!r} until {state.lease_expires_at}, wake_at "
            f"{state.wake_at}, revision {state.revision}\nevents {events}\neffects {effects}\ninbox {inbox}")


def answer_callbacks(answered):
    for token in TaskToken.objects.filter(kind="callback", answered_at=None).select_related("execution"):
        execution = token.execution
        if execution.pk not in answered:
            n = json.loads(execution.input)["n"]
            rt.send_task_success(token.token, json.dumps({"approved": n}))
            answered.add(execution.pk)


def test_executions_survive_a_killed_server(tmp_path, django_db_blocker):
    url = migrated_sqlite(tmp_path)
    log_path = tmp_path / "calls.log"
    server = durable_server(url, log_path, tmp_path)
    with django_db_blocker.unblock(), using_database(url, tmp_path):
        owner = get_user_model().objects.create_user("durable")
        started = []
        for name, (definition, make_input, expected) in WORKFLOWS.items():
            machine = make_machine(owner, name, definition)
            for n in range(PER_WORKFLOW):
                execution = rt.start_execution(machine, owner=owner, name=f"{name}-{n}",
                                               input_text=json.dumps(make_input(n)))
                started.append((execution, expected(n)))
        try:
            server.start()
            # mid-way: tasks have run and are running, timers and callbacks are pending
            wait_until(lambda: sum(1 for line in log_lines(log_path) if line[0] == "done") >= 12, 60,
                       "the server ran no tasks")
            server.kill()
            first_pid = server.process.pid
            assert Execution.objects.filter(status="RUNNING").count() > 0
            outstanding = in_flight_keys()
            assert outstanding  # killed with tasks in flight, not between them
            assert Effect.objects.filter(kind="timer").exists()  # and Wait timers pending

            # answered while no server runs: the answer waits in the inbox
            answered = set()
            answer_callbacks(answered)
            server.start()
            wait_until(lambda: (answer_callbacks(answered), len(answered) == PER_WORKFLOW)[1], 60,
                       "the callbacks were never scheduled")
            for execution, expected in started:
                try:
                    done = rt.wait_for_execution(execution, timeout=60)
                except rt.ExecutionTimeout:
                    raise AssertionError(diagnose(execution)) from None
                assert (done.name, done.status, done.error, done.cause) == (execution.name, "SUCCEEDED", None, None)
                assert json.loads(done.output) == expected
                ids = list(HistoryEvent.objects.filter(execution=done).order_by("event_id")
                           .values_list("event_id", flat=True))
                assert ids == list(range(1, done.last_event_id + 1))
        finally:
            server.stop()

    starts = collections.Counter(key for kind, pid, key in log_lines(log_path) if kind == "start")
    pids = {pid for kind, pid, key in log_lines(log_path)}
    assert str(first_pid) in pids and len(pids) == 2  # both lives of the server did work
    ran_twice = {key for key, count in starts.items() if count > 1}
    assert ran_twice <= outstanding, "a committed step ran again"
    assert max(starts.values()) <= 2
    # every Slow attempt of every execution ran: 3 + 1 + 5 + 3 + 2 per n
    assert len(starts) == PER_WORKFLOW * 14
