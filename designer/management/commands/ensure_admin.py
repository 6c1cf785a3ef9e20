"""Make sure someone can log in: called by scripts/run before the server starts.

With DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD set, that account
exists as a superuser with that password. Without them, when no superuser
exists yet, `admin` is created with a generated password that is printed
this once (it is never stored in clear, so it cannot be shown again).
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Make sure an admin account exists; print how to log in."

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if username and not password:
            raise CommandError("DJANGO_SUPERUSER_USERNAME is set but DJANGO_SUPERUSER_PASSWORD is not")
        if password and not username:
            raise CommandError("DJANGO_SUPERUSER_PASSWORD is set but DJANGO_SUPERUSER_USERNAME is not")

        with transaction.atomic():
            if username:
                self._from_environment(username, password)
            else:
                self._default_admin()

    def _from_environment(self, username, password):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        changed = created or not (user.is_superuser and user.is_staff and user.is_active)
        user.is_superuser = user.is_staff = user.is_active = True
        # the environment is the source of truth for this account's password
        if created or not user.check_password(password):
            user.set_password(password)
            changed = True
        if changed:
            user.save()
        verb = "Created" if created else "Using"
        self.stdout.write(f"{verb} admin account from the environment. Log in as: {username} (password: $DJANGO_SUPERUSER_PASSWORD)")

    def _default_admin(self):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"Log in as: {existing.get_username()} (password shown when it was created; "
                f"reset it with `.venv/bin/python manage.py changepassword {existing.get_username()}`)"
            )
            return
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username="admin")
        user.is_superuser = user.is_staff = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Created admin account. Log in as: admin / {password}")
        self.stdout.write("This password is shown only now.")
