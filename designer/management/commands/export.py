"""Write state machines back to files, for git:

    python manage.py export DIR [--owner USERNAME] [--region us-east-1]

`NAME.asl.json` holds the definition exactly as stored (so `apply` of the result changes
nothing), `NAME.layout.json` the designer's layout and `NAME.inputs.json` the sample inputs,
when it has them (designer/machine_files.py).
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from designer import arns, machine_files
from designer.models import StateMachine


class Command(BaseCommand):
    help = "Write state machines to DIR/NAME.asl.json (and NAME.layout.json, NAME.inputs.json)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--owner", help="only this user's state machines (default: everyone's)")
        parser.add_argument("--region", default=arns.DEFAULT_REGION, help="the region whose machines to write")

    def handle(self, *args, directory, owner, region, **options):
        machines = StateMachine.objects.filter(region=region).order_by("name")
        if owner:
            machines = machines.filter(owner__username=owner)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for machine in machines:
                machine_files.write(directory, machine)
                self.stdout.write(f"wrote {machine.name}")
        except OSError as e:
            raise CommandError(f"cannot write to {directory}: {e}") from None
