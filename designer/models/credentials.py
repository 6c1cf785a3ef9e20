"""Credentials kept by the app: API access keys (Signature Version 4) and the
connections http:invoke tasks authenticate with. Secrets are encrypted at rest."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from designer import crypto


class AccessKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=32, unique=True)
    encrypted_secret = models.TextField()
    description = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.access_key_id

    @property
    def secret(self) -> str | None:
        return crypto.decrypt(self.encrypted_secret)


class Connection(models.Model):
    """AWS EventBridge-style connection used by arn:aws:states:::http:invoke (ConnectionArn)."""

    API_KEY, BASIC, OAUTH = "API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"
    TYPES = [(API_KEY, "API key"), (BASIC, "Basic"), (OAUTH, "OAuth client credentials")]

    arn = models.CharField(max_length=256, unique=True)
    name = models.CharField(max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections")
    authorization_type = models.CharField(max_length=32, choices=TYPES)
    # JSON of the credentials (API key name/value, username/password, or the
    # OAuth endpoint, client id/secret and parameters), encrypted.
    encrypted_parameters = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
