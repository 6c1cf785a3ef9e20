"""Issue an API access key for a user, for the AWS SDKs and the AWS CLI.

    $ python manage.py create_access_key alice --create-user
    AWS_ACCESS_KEY_ID=AKIA...
    AWS_SECRET_ACCESS_KEY=...

Exactly those two lines on stdout (so `eval "$(...)"` or `>> .env` works);
the secret is not kept in clear anywhere and cannot be shown again.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from designer import access_keys


class Command(BaseCommand):
    help = "Create an access key (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true",
                            help="create the user (without a password) when it does not exist")
        parser.add_argument("--description", default="created with manage.py create_access_key")

    def handle(self, *args, username, create_user, description, **options):
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                if not create_user:
                    raise CommandError(f"no user named {username!r} (add --create-user to create one)")
                user = User.objects.create_user(username)  # no usable password: API only, until one is set
            key, secret = access_keys.issue(user, description)
        self.stdout.write(f"AWS_ACCESS_KEY_ID={key.access_key_id}\nAWS_SECRET_ACCESS_KEY={secret}")
