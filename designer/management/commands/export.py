"""Write state machines back to files, for git:

    python manage.py export DIR [--owner USERNAME] [--region us-east-1]

`NAME.asl.json` holds the definition exactly as stored (so `apply` of the result changes
nothing), `NAME.layout.json` the designer's layout and `NAME.inputs.json` the sample inputs,
when it has them (designer/machine_files.py). Names are per account: it writes one user's
machines, by default those of the first superuser, whom `apply` gives them by default.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from designer import arns, machine_files
from designer.models import StateMachine

from .apply import owner_named


class Command(BaseCommand):
    help = "Write state machines to DIR/NAME.asl.json (and NAME.layout.json, NAME.inputs.json)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--owner", help="whose state machines (default: the first superuser's)")
        parser.add_argument("--region", default=arns.DEFAULT_REGION, help="the region whose machines to write")

    def handle(self, *args, directory, owner, region, **options):
        machines = StateMachine.objects.filter(region=region, owner=owner_named(owner)).order_by("name")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for machine in machines:
                machine_files.write(directory, machine)
                self.stdout.write(f"wrote {machine.name}")
        except OSError as e:
            raise CommandError(f"cannot write to {directory}: {e}") from None
