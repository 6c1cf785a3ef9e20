"""Accounts: names are per account, as on AWS. Each user has an AWS account id of their own, the
one in the ARNs of what they create (designer/accounts.py gives it out)."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    account_id = models.CharField(max_length=12, unique=True)

    def __str__(self):
        return self.account_id
