"""Each user's AWS account id: the one in the ARNs of what they create (state machines, their
executions, activities, connections). Names are per account, as on AWS: bob's `a_pass` is not
alice's, and nobody learns from a name that another account uses it.

The first admin keeps STATELIGHT_ACCOUNT_ID (ensure_admin gives it when it makes the account, and
a one-person install's ARNs stay what they were); everyone else gets 12 random digits of their
own, when they first need them. Migration 0007 gave existing users theirs and rewrote the ARNs
already stored.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from designer.models import Account


def account_id(user) -> str:
    """The user's account id, made now if they have none yet."""
    found = Account.objects.filter(user_id=user.pk).values_list("account_id", flat=True).first()
    return found if found is not None else _open(user)


def owner_of(account: str):
    """The pk of the user whose account it is, or None."""
    return Account.objects.filter(account_id=account).values_list("user_id", flat=True).first()


def _open(user) -> str:
    for attempt in range(10):
        # the shared id goes to the first superuser who needs an account (the unique constraint
        # says whether one already has it)
        wanted = settings.STATELIGHT_ACCOUNT_ID if user.is_superuser and attempt == 0 else new_account_id()
        try:
            with transaction.atomic():
                return Account.objects.create(user_id=user.pk, account_id=wanted).account_id
        except IntegrityError:  # the id is taken, or this user's account was made meanwhile
            found = Account.objects.filter(user_id=user.pk).values_list("account_id", flat=True).first()
            if found is not None:
                return found
    raise RuntimeError("could not draw a unique account id")


def new_account_id() -> str:
    while True:
        drawn = f"{secrets.randbelow(10**12):012d}"
        if drawn != settings.STATELIGHT_ACCOUNT_ID:
            return drawn
