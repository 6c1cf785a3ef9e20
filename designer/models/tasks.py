"""Activities and task tokens: the ways the outside world answers a task."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .executions import Execution


class Activity(models.Model):
    arn = models.CharField(max_length=256, unique=True)
    name = models.CharField(max_length=80)
    region = models.CharField(max_length=32)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities")
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.name


class TaskToken(models.Model):
    """A task waiting for an answer from outside: a .waitForTaskToken callback,
    an activity worker, or a person (approval). Single use: answered once."""

    CALLBACK, ACTIVITY, APPROVAL = "callback", "activity", "approval"

    token = models.CharField(max_length=1024, unique=True)
    kind = models.CharField(max_length=16, default=CALLBACK)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="task_tokens")
    effect_id = models.PositiveIntegerField()
    state_name = models.CharField(max_length=80)
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    input = models.TextField(default="{}")
    # Activity tasks: handed to a worker once (GetActivityTask), then answered by token.
    worker_name = models.CharField(max_length=80, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Approvals: what the approver sees and who may decide, and the audited decision.
    request = models.JSONField(default=dict, blank=True)
    decision = models.JSONField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="decisions")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["activity", "started_at", "answered_at"])]
