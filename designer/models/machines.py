"""State machines, their immutable published versions and their aliases."""
from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models


class StateMachine(models.Model):
    STANDARD, EXPRESS = "STANDARD", "EXPRESS"
    TYPES = [(STANDARD, "Standard"), (EXPRESS, "Express")]

    arn = models.CharField(max_length=256, unique=True)
    name = models.CharField(max_length=80)
    region = models.CharField(max_length=32)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_machines")
    type = models.CharField(max_length=8, choices=TYPES, default=STANDARD)
    # The definition exactly as given (AWS returns it byte for byte), and the
    # designer's node positions beside it, never inside it.
    definition = models.TextField()
    layout = models.JSONField(default=dict, blank=True)
    # The designer's autosaved work in progress; publishing or saving replaces `definition`.
    draft = models.TextField(blank=True, default="")
    # Named inputs the Run forms offer, as the text of a NAME.inputs.json (designer/sample_inputs.py).
    sample_inputs = models.TextField(blank=True, default="")
    # What `manage.py apply` last read for this machine and what it left, each as a digest
    # (apply.py): so that `apply --if-unedited` can tell a newer file from a newer edit in the app.
    applied_files = models.CharField(max_length=64, blank=True, default="")
    applied_content = models.CharField(max_length=64, blank=True, default="")
    role_arn = models.CharField(max_length=256, default="arn:aws:iam::123456789012:role/StatelightExecution")
    description = models.CharField(max_length=256, blank=True, default="")
    logging_configuration = models.JSONField(default=dict, blank=True)
    tracing_configuration = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    revision_id = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def parsed_definition(self):
        return json.loads(self.definition)

    def content_digest(self) -> str:
        return content_digest(self.definition, self.draft, self.layout, self.sample_inputs)

    def next_version_number(self) -> int:
        last = self.versions.order_by("-number").first()
        return 1 if last is None else last.number + 1


def content_digest(definition: str, draft: str, layout: dict, sample_inputs: str) -> str:
    """A digest of what a person edits in a machine: the definition, the draft, the layout, the sample inputs."""
    # sorted keys: PostgreSQL keeps no key order in a JSON column
    return digest(definition, draft, json.dumps(layout or {}, sort_keys=True), sample_inputs)


def digest(*parts: str | None) -> str:
    """One SHA-256 over several texts, each told apart from the next (None is not '')."""
    hasher = hashlib.sha256()
    for part in parts:
        data = b"-" if part is None else b"+" + part.encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


class StateMachineVersion(models.Model):
    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.TextField()
    layout = models.JSONField(default=dict, blank=True)
    role_arn = models.CharField(max_length=256)
    description = models.CharField(max_length=256, blank=True, default="")
    revision_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["machine", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.machine.name}:{self.number}"

    @property
    def arn(self) -> str:
        return f"{self.machine.arn}:{self.number}"


class StateMachineAlias(models.Model):
    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=256, blank=True, default="")
    # [{"stateMachineVersionArn": ..., "weight": 0..100}], one or two entries summing to 100
    routing = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["machine", "name"], name="unique_alias_name")]

    def __str__(self):
        return f"{self.machine.name}:{self.name}"

    @property
    def arn(self) -> str:
        return f"{self.machine.arn}:{self.name}"
