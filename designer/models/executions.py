"""Executions, their history, and the durable position of the engine.

The engine's snapshot is kept incrementally: one row per engine frame
(ExecutionFrame), so a 10,000-item Map rewrites only the rows it touches.
Work for an execution arrives as InboxItems (task results, timer firings,
callbacks), so answers are never lost, whoever holds the lease.
"""
from __future__ import annotations

from django.db import models
from django.urls import reverse

from engine.history import aws_event

from .machines import StateMachine, StateMachineAlias, StateMachineVersion


class Execution(models.Model):
    RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE = (
        "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
    STATUSES = [(s, s) for s in (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE)]

    arn = models.CharField(max_length=512, unique=True)
    name = models.CharField(max_length=80)
    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="executions")
    version = models.ForeignKey(StateMachineVersion, null=True, blank=True, on_delete=models.SET_NULL)
    alias = models.ForeignKey(StateMachineAlias, null=True, blank=True, on_delete=models.SET_NULL)
    # The definition this execution runs, as it was when it started.
    definition = models.TextField()
    type = models.CharField(max_length=8, default=StateMachine.STANDARD)
    status = models.CharField(max_length=16, choices=STATUSES, default=RUNNING, db_index=True)
    input = models.TextField(default="{}")
    output = models.TextField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    cause = models.TextField(null=True, blank=True)
    mock_test_case = models.CharField(max_length=256, blank=True, default="")
    trace_header = models.CharField(max_length=256, blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    # A child started by states:startExecution: the parent's task effect, and
    # how the parent waits for it ("sync", "sync:2"; "" when it does not).
    parent_effect_id = models.PositiveIntegerField(null=True, blank=True)
    parent_wait = models.CharField(max_length=8, blank=True, default="")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    redrive_count = models.PositiveIntegerField(default=0)
    redriven_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["machine", "status", "-started_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("execution", args=[self.pk])

    def summary(self, *, status: str | None = None, stopped_at=None) -> dict:
        """The execution as lists and pages show it (the runs page and its socket, the viewer, the
        runtime's message when it starts or ends), AWS's member names for what AWS has. `status`
        and `stopped_at`: newer than this row's (a step not yet stored), epoch seconds out."""
        status = status or self.status
        stopped = None if status == self.RUNNING else (stopped_at or self.stopped_at)
        return {"pk": self.pk, "url": self.get_absolute_url(), "executionArn": self.arn, "name": self.name,
                "status": status, "type": self.type, "startDate": self.started_at.timestamp(),
                "stopDate": stopped.timestamp() if stopped else None, "redriveCount": self.redrive_count,
                "mockTestCase": self.mock_test_case}

    @property
    def last_event_id(self) -> int:
        """How far the stored history goes (0 before the first step)."""
        try:
            return self.runtime_state.last_event_id
        except ExecutionState.DoesNotExist:
            return 0


class ExecutionState(models.Model):
    """The runtime's side of an execution, rewritten by every step. Kept out of the Execution row
    on purpose: SQLite rewrites a whole row on UPDATE, and that row holds the definition (up to
    1 MiB) and the input (up to 256 KiB)."""

    execution = models.OneToOneField(Execution, primary_key=True, on_delete=models.CASCADE,
                                     related_name="runtime_state")
    # The engine's execution record (counters, status; the input is in Execution.input) and how
    # far history goes.
    engine_state = models.JSONField(default=dict)
    last_event_id = models.PositiveIntegerField(default=0)
    # Bumped by every runtime write, so a worker can tell that the engine it
    # holds in memory is still the stored one (and skip restoring it).
    revision = models.PositiveIntegerField(default=0)
    # How many times each state was answered from the mock test case (its
    # responses are chosen by call number, retries and Map iterations included).
    mock_calls = models.JSONField(default=dict, blank=True)
    # When the execution next needs a worker without being told: its earliest timer.
    wake_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Which worker advances it, until when. Only the lease holder appends events.
    lease_owner = models.CharField(max_length=128, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self):
        return f"{self.execution_id}@{self.revision}"


class ExecutionFrame(models.Model):
    """One frame of the engine snapshot (see engine.Execution.changes())."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="frames")
    frame_id = models.PositiveIntegerField()
    record = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["execution", "frame_id"], name="unique_frame")]


class HistoryEvent(models.Model):
    """An event as GetExecutionHistory returns it (details in AWS's wire shape), and where it
    happened (engine.history.Event): its state run and frame path, which the viewer and the
    state-detail endpoint read instead of guessing them from previousEventId."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="events")
    event_id = models.PositiveIntegerField()
    previous_event_id = models.PositiveIntegerField()
    timestamp = models.DateTimeField()
    type = models.CharField(max_length=64)
    details = models.JSONField(null=True, blank=True)
    # the id of the *StateEntered event of the state run it belongs to; None: the execution's own
    state_run = models.PositiveIntegerField(null=True, blank=True)
    # A run's *StateEntered only (all its events happened there): its frame path, [[container's
    # run, branch or iteration index], ...], the outermost first ([] at the top level), and its
    # state's name, by which a state's runs are found.
    path = models.JSONField(null=True, blank=True)
    state_name = models.CharField(max_length=80, null=True, blank=True)

    class Meta:
        ordering = ["execution", "event_id"]
        constraints = [models.UniqueConstraint(fields=["execution", "event_id"], name="unique_event_id")]
        indexes = [models.Index(fields=["execution", "state_run"], name="event_state_run"),
                   models.Index(fields=["execution", "state_name"], name="event_state_name",
                                condition=models.Q(state_name__isnull=False))]

    def to_dict(self) -> dict:
        """AWS's event: GetExecutionHistory's shape."""
        return aws_event(self.event_id, self.previous_event_id, self.timestamp.timestamp(), self.type, self.details)

    def envelope(self) -> dict:
        return envelope(self.to_dict(), self.state_run, self.path)


def envelope(event: dict, run, path=None) -> dict:
    """An event as the viewer's socket and endpoints send it, published as stored (runtime/step.py):
    AWS's event and where it happened, its state run; the run's frame path on its *StateEntered."""
    return {"event": event, "run": run} if path is None else {"event": event, "run": run, "path": path}


class Effect(models.Model):
    """An outstanding effect of the engine: a task to invoke or a timer to fire."""

    TASK, TIMER = "task", "timer"
    # state of a task: PENDING to perform, RUNNING (claimed by a worker),
    # WAITING for an answer from outside (token, activity worker, child
    # execution), ANSWERED (its answer is in the inbox). A timer is WAITING for its due_at.
    PENDING, RUNNING, WAITING, ANSWERED = "pending", "running", "waiting", "answered"

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="effects")
    effect_id = models.PositiveIntegerField()
    kind = models.CharField(max_length=8)
    # The effect as the engine issued it (InvokeTask fields, or purpose + state for a timer).
    payload = models.JSONField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # An attempt's idempotency key: execution, frame, state entry, state, attempt.
    key = models.CharField(max_length=1024, blank=True, default="")
    # A worker performing the task, and until when it counts as alive.
    claimed_by = models.CharField(max_length=128, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, default=PENDING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["execution", "effect_id"], name="unique_effect")]
        indexes = [models.Index(fields=["state", "claimed_until"], name="effect_state_claim")]


class TaskLog(models.Model):
    """What a Python handler logged and printed during one task attempt (designer/resources/handler_logs.py),
    stored in the transaction that stores the attempt's answer. Its own row: the Effect goes once answered."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="task_logs")
    effect_id = models.PositiveIntegerField()
    state_name = models.CharField(max_length=80)
    # which run of the state (its *StateEntered event) and which attempt of that run (0 = the first)
    entered_event_id = models.PositiveIntegerField()
    attempt = models.PositiveIntegerField()
    lines = models.JSONField(default=list)  # [{"time", "level", "logger", "message"}], oldest first
    dropped = models.PositiveIntegerField(default=0)  # older lines let go (the capture is bounded)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["execution", "state_name"], name="tasklog_state")]

    def to_dict(self) -> dict:
        return {"lines": self.lines, "dropped": self.dropped}


class InboxItem(models.Model):
    """An answer for an execution's engine, applied in order by the lease holder (runtime/step.py):
    start it, a task's result (complete, fail), a timer firing, a heartbeat, an activity worker
    taking its task (started), stop, redrive."""

    START, COMPLETE, FAIL, FIRE, HEARTBEAT, STARTED, STOP, REDRIVE = (
        "start", "complete", "fail", "fire", "heartbeat", "started", "stop", "redrive")

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="inbox")
    kind = models.CharField(max_length=16)
    effect_id = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    cause = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
