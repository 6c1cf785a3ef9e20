"""Create or update state machines from ASL files kept in git, idempotently.

    python manage.py apply examples/ [--owner USERNAME] [--region us-east-1]

Every `NAME.asl.json` in DIR becomes (or updates) the state machine NAME,
its definition exactly as the file has it; an optional `NAME.layout.json`
beside it is the designer's layout. An unchanged file changes nothing (not
even the revision). An invalid file is reported with every problem the
validator finds and left out; the others are still applied; the exit
status is then 1.
"""
import json
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from designer import accounts, arns
from designer.api import definitions
from designer.models import StateMachine

SUFFIX = ".asl.json"
LAYOUT_SUFFIX = ".layout.json"


class Command(BaseCommand):
    help = "Create or update state machines from DIR/*.asl.json (and NAME.layout.json beside them)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--owner", help="who owns machines this creates (default: the first superuser)")
        parser.add_argument("--region", default=arns.DEFAULT_REGION, help="the region of their ARNs")

    def handle(self, *args, directory, owner, region, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        owner = owner_named(owner)
        invalid = 0
        for path in sorted(directory.glob("*" + SUFFIX)):
            name = path.name.removesuffix(SUFFIX)
            problems = self._apply(path, name, owner, region)
            if problems:
                invalid += 1
                self.stderr.write(f"invalid {name} ({path}):")
                for problem in problems:
                    self.stderr.write(f"  {problem}")
        if invalid:
            raise CommandError(f"{invalid} definition(s) not applied: see above", returncode=1)

    def _apply(self, path: Path, name: str, owner, region: str) -> list[str]:
        """Apply one file; the problems that kept it out (empty when applied)."""
        if not arns.is_valid_name(name):
            return [f"'{name}' is not a state machine name (1 to 80 letters, digits, '-' and '_')"]
        try:
            # bytes, not text mode: line endings stay exactly as in the file
            definition = path.read_bytes().decode("utf-8")
            layout = _layout(path.with_name(name + LAYOUT_SUFFIX))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            return [f"cannot read it: {e}"]
        if len(definition) > definitions.MAX_DEFINITION:
            return [f"the definition has {len(definition)} characters, more than {definitions.MAX_DEFINITION}"]
        errors = [p for p in definitions.problems(definition, owner) if p.severity == "ERROR"]
        if errors:
            return [f"{p.path or '/'}: {p.code}: {p.message}" for p in errors]
        arn = arns.arn("stateMachine", region, name, account=accounts.account_id(owner))
        with transaction.atomic():
            machine = StateMachine.objects.select_for_update().filter(arn=arn).first()
            if machine is None:
                StateMachine.objects.create(arn=arn, name=name, region=region, owner=owner, definition=definition,
                                            layout=layout if layout is not None else {})
                verb = "created"
            elif machine.definition == definition and (layout is None or machine.layout == layout):
                verb = "unchanged"
            else:
                if machine.definition != definition:
                    machine.revision_id = uuid.uuid4()
                machine.definition = definition
                if layout is not None:
                    machine.layout = layout
                machine.save()
                verb = "updated"
        self.stdout.write(f"{verb} {name} ({arn})")
        return []


def owner_named(username):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("no superuser to own the state machines: pass --owner USERNAME "
                           "(or run manage.py ensure_admin first)")
    return user


def _layout(path: Path):
    """The layout beside a definition (a JSON object), or None when there is none."""
    if not path.exists():
        return None
    layout = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(layout, dict):
        raise ValueError(f"{path.name} must hold a JSON object")
    return layout
