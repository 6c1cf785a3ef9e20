"""Create or update state machines from files kept in git, idempotently.

    python manage.py apply examples/ [--owner USERNAME] [--region us-east-1] [--if-unedited]

Every `NAME.asl.json` in DIR becomes (or updates) the state machine NAME, its definition
exactly as the file has it; `NAME.layout.json` and `NAME.inputs.json` beside it, when there,
are the designer's layout and the sample inputs (designer/machine_files.py). An invalid file
set is reported with every problem and left out; the others are still applied; the exit
status is then 1. One line per machine:

    created NAME (ARN)      it did not exist
    updated NAME (ARN)      its files differ from it (", replacing edits made in the app" when
                            it was edited in the app since it was last applied)
    unchanged NAME (ARN)    it already is what its files say: nothing written
    kept NAME (ARN): ...    --if-unedited only: edited in the app since it was last applied,
                            and its files changed since too; the app's edits win

With --if-unedited (scripts/run uses it) a machine edited in the app (designer, API) since
apply last wrote it is never replaced: its definition, a draft, or its layout or sample inputs
when a file here gives them (what has no file here apply leaves alone, so an edit to it is no
conflict). How it knows: each machine keeps the digest of the files apply last read and of the
content apply left (StateMachine.applied_files, applied_content); content that already is what
the files say becomes the new starting point (as after an export).
"""
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from designer import arns, machine_files
from designer.models import StateMachine

KEPT = "edited in the app since it was last applied, and its files changed since too: not replaced " \
       "(apply without --if-unedited replaces it)"
KEPT_SAME_FILES = "keeps the edits made in the app (its files are as last applied)"
REPLACED = "replacing edits made in the app"


class Command(BaseCommand):
    help = "Create or update state machines from DIR/NAME.asl.json (and NAME.layout.json, NAME.inputs.json)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--owner", help="who owns machines this creates (default: the first superuser)")
        parser.add_argument("--region", default=arns.DEFAULT_REGION, help="the region of their ARNs")
        parser.add_argument("--if-unedited", action="store_true",
                            help="leave a machine edited in the app since it was last applied as it is")

    def handle(self, *args, directory, owner, region, if_unedited, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        owner = _owner(owner)
        invalid = 0
        for path in machine_files.definition_files(directory):
            name = path.name.removesuffix(machine_files.SUFFIX)
            problems = self._apply(path, name, owner, region, if_unedited)
            if problems:
                invalid += 1
                self.stderr.write(f"invalid {name} ({path}):")
                for problem in problems:
                    self.stderr.write(f"  {problem}")
        if invalid:
            raise CommandError(f"{invalid} definition(s) not applied: see above", returncode=1)

    def _apply(self, path: Path, name: str, owner, region: str, if_unedited: bool) -> list[str]:
        """Apply one machine's files; the problems that kept it out (empty when applied)."""
        if not arns.is_valid_name(name):
            return [f"'{name}' is not a state machine name (1 to 80 letters, digits, '-' and '_')"]
        try:
            files = machine_files.read(path)
        except (OSError, UnicodeDecodeError) as e:
            return [f"cannot read it: {e}"]
        problems = machine_files.problems(files)
        if problems:
            return problems
        arn = arns.arn("stateMachine", region, name)
        with transaction.atomic():
            machine = StateMachine.objects.select_for_update().filter(arn=arn).first()
            if machine is None:
                _create(files, arn, region, owner)
                verb, note = "created", ""
            else:
                verb, note = _update(machine, files, if_unedited)
        self.stdout.write(f"{verb} {name} ({arn}){note}")
        return []


def _create(files, arn: str, region: str, owner):
    StateMachine.objects.create(
        arn=arn, name=files.name, region=region, owner=owner, definition=files.definition,
        layout=files.layout(), sample_inputs=files.inputs(),
        applied_files=files.digest(), applied_content=files.content_digest())


def _update(machine: StateMachine, files, if_unedited: bool) -> tuple[str, str]:
    """What apply does to an existing machine: its verb, and a note to say after the name."""
    current, wanted = machine.content_digest(), files.content_digest(machine)
    edited = current != machine.applied_content
    newer_files = files.digest() != machine.applied_files
    applied = {"applied_files": files.digest(), "applied_content": wanted}
    if current == wanted:
        # already what the files say (an export, or the same edit made on both sides): from now
        # on this is what apply last left
        if (machine.applied_files, machine.applied_content) != tuple(applied.values()):
            StateMachine.objects.filter(pk=machine.pk).update(**applied)
        return "unchanged", ""
    if edited and if_unedited:
        return ("kept", f": {KEPT}") if newer_files else ("unchanged", f": {KEPT_SAME_FILES}")
    if machine.definition != files.definition:
        machine.revision_id = uuid.uuid4()
    files.apply_to(machine)
    for field, value in applied.items():
        setattr(machine, field, value)
    machine.save()
    return "updated", f", {REPLACED}" if edited else ""


def _owner(username):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("no superuser to own the state machines: pass --owner USERNAME "
                           "(or run .venv/bin/python manage.py ensure_admin first)")
    return user
