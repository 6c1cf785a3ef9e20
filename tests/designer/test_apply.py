"""manage.py apply and export with a machine's files (designer/machine_files.py): the sample
inputs travel with the definition, and `apply --if-unedited` (what scripts/run does) loads a
file only when it changed since it was last applied, never over a newer edit made in the app."""
import json
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer import sample_inputs
from designer.models import StateMachine
from tests.helpers import ROOT, make_machine

pytestmark = pytest.mark.django_db

EXAMPLES = ROOT / "examples"
PASS = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}\n'
WAIT = '{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}\n'


@pytest.fixture
def admin():
    return get_user_model().objects.create_superuser("admin", password="x")


@pytest.fixture
def folder(tmp_path, admin):
    (tmp_path / "m.asl.json").write_text(PASS)
    return tmp_path


def apply(capsys, directory, *flags) -> str:
    call_command("apply", str(directory), *flags)
    return capsys.readouterr().out


def machine():
    return StateMachine.objects.get(name="m")


# --- sample inputs travel with the definition ------------------------------------------

def test_every_example_has_sample_inputs_that_apply_loads_and_export_writes_back_byte_for_byte(admin, tmp_path,
                                                                                               capsys):
    apply(capsys, EXAMPLES)
    for path in sorted(EXAMPLES.glob("*.asl.json")):
        name = path.name.removesuffix(".asl.json")
        inputs = (EXAMPLES / f"{name}.inputs.json").read_text()
        assert sample_inputs.parse(inputs), f"{name} offers no sample input"
        assert inputs == sample_inputs.dumps(sample_inputs.parse(inputs)), f"{name}: not in the designer's formatting"
        assert StateMachine.objects.get(name=name).sample_inputs == inputs
    call_command("export", str(tmp_path / "out"))
    for exported in (tmp_path / "out").iterdir():
        assert exported.read_bytes() == (EXAMPLES / exported.name).read_bytes(), exported.name


def test_the_pizzas_first_sample_input_is_an_order_that_reaches_the_approval():
    first = next(iter(sample_inputs.parse((EXAMPLES / "pizza.inputs.json").read_text()).values()))
    assert {"customer", "pizza", "address"} <= first.keys()
    assert "nowhere" not in first["address"].lower()  # examples/handlers.py: Deliver would fail


@pytest.mark.parametrize("text, problem", [
    ('{"a": {}, "a": {}}', "m.inputs.json: the input 'a' is named twice"),
    ('[{"a": 1}]', "m.inputs.json: it must be a JSON object of named inputs"),
    ('{"a": ', "m.inputs.json: it is not valid JSON: Expecting value at line 1 column 7"),
    ('{"a": NaN}', "m.inputs.json: it is not valid JSON: NaN is not a JSON value"),
    ('{" ": 1}', "m.inputs.json: the name ' ' must have 1 to 80 characters"),
    (json.dumps({str(n): n for n in range(21)}), "m.inputs.json: it has 21 inputs, more than 20"),
    (json.dumps({"big": "x" * 262_144}), "m.inputs.json: the input 'big' has 262146 bytes, more than"),
])
def test_it_reports_unusable_sample_inputs_naming_the_file_and_applies_nothing_of_that_machine(folder, text,
                                                                                              problem, capsys):
    (folder / "m.inputs.json").write_text(text)
    with pytest.raises(CommandError, match="1 definition"):
        call_command("apply", str(folder))
    assert problem in capsys.readouterr().err
    assert not StateMachine.objects.exists()


def test_a_layout_that_is_not_an_object_is_named_too(folder, capsys):
    (folder / "m.layout.json").write_text("[1, 2]")
    with pytest.raises(CommandError):
        call_command("apply", str(folder))
    assert "m.layout.json: it must hold a JSON object" in capsys.readouterr().err


def test_export_writes_a_layout_with_sorted_keys_so_it_is_byte_stable_on_every_database(folder, capsys):
    apply(capsys, folder)
    StateMachine.objects.filter(name="m").update(layout={"positions": {"P": {"y": 2, "x": 1}}})
    call_command("export", str(folder / "out"))
    assert (folder / "out" / "m.layout.json").read_text() == (
        '{\n  "positions": {\n    "P": {\n      "x": 1,\n      "y": 2\n    }\n  }\n}\n')
    assert not (folder / "out" / "m.inputs.json").exists()


# --- apply --if-unedited: what scripts/run does at every start -------------------------

def test_it_creates_then_leaves_unchanged_files_alone(folder, capsys):
    assert apply(capsys, folder, "--if-unedited").startswith("created m (arn:aws:states:us-east-1:")
    revision = machine().revision_id
    assert apply(capsys, folder, "--if-unedited").startswith("unchanged m (")
    assert machine().revision_id == revision


def test_it_loads_a_file_that_changed_since_it_was_last_applied(folder, capsys):
    apply(capsys, folder, "--if-unedited")
    (folder / "m.asl.json").write_text(WAIT)
    (folder / "m.inputs.json").write_text('{"one": 1}\n')
    assert apply(capsys, folder, "--if-unedited").startswith("updated m (")
    assert (machine().definition, machine().sample_inputs) == (WAIT, '{"one": 1}\n')


@pytest.mark.parametrize("edit", [
    lambda m: setattr(m, "definition", WAIT),  # Save in the designer, UpdateStateMachine
    lambda m: setattr(m, "draft", WAIT),  # the designer's autosaved work in progress
    lambda m: setattr(m, "layout", {"positions": {"P": {"x": 5, "y": 5}}}),  # a node moved
    lambda m: setattr(m, "sample_inputs", '{"mine": {}}\n'),  # a sample input kept in the Run dialog
], ids=["definition", "draft", "layout", "sample inputs"])
def test_an_edit_made_in_the_app_is_never_replaced_and_apply_says_so(folder, edit, capsys):
    (folder / "m.layout.json").write_text('{"positions": {"P": {"x": 1, "y": 1}}}')
    (folder / "m.inputs.json").write_text('{"one": 1}\n')
    apply(capsys, folder, "--if-unedited")
    edited = machine()
    edit(edited)
    edited.save()
    kept = edited.content_digest()

    out = apply(capsys, folder, "--if-unedited")  # the files have not changed since
    assert out.startswith("unchanged m (") and "keeps the edits made in the app" in out
    (folder / "m.asl.json").write_text(PASS.replace('"P"', '"Q"'))  # now they have
    out = apply(capsys, folder, "--if-unedited")
    assert out.startswith("kept m (") and "edited in the app since it was last applied" in out
    assert "apply without --if-unedited replaces it" in out
    assert machine().content_digest() == kept


def test_what_has_no_file_is_left_as_the_app_made_it(folder, capsys):
    apply(capsys, folder, "--if-unedited")
    moved = {"positions": {"P": {"x": 5, "y": 5}}}
    StateMachine.objects.filter(name="m").update(layout=moved, sample_inputs='{"mine": {}}\n')
    assert apply(capsys, folder, "--if-unedited").startswith("unchanged m (")
    (folder / "m.asl.json").write_text(WAIT)
    assert apply(capsys, folder, "--if-unedited").startswith("updated m (")
    assert (machine().layout, machine().sample_inputs) == (moved, '{"mine": {}}\n')


def test_apply_run_by_a_person_still_creates_or_updates_and_says_what_it_replaced(folder, capsys):
    apply(capsys, folder)
    StateMachine.objects.filter(name="m").update(definition=WAIT)
    out = apply(capsys, folder)
    assert out.startswith("updated m (") and out.rstrip().endswith(", replacing edits made in the app")
    assert machine().definition == PASS
    (folder / "m.asl.json").write_text(WAIT)
    assert apply(capsys, folder, "--if-unedited").startswith("updated m (")  # no edit since


def test_an_edit_undone_is_no_edit(folder, capsys):
    apply(capsys, folder, "--if-unedited")
    StateMachine.objects.filter(name="m").update(definition=WAIT)
    StateMachine.objects.filter(name="m").update(definition=PASS)
    (folder / "m.asl.json").write_text(WAIT)
    assert apply(capsys, folder, "--if-unedited").startswith("updated m (")


def test_files_exported_after_an_edit_become_what_was_last_applied(folder, capsys):
    apply(capsys, folder, "--if-unedited")
    StateMachine.objects.filter(name="m").update(definition=WAIT)
    call_command("export", str(folder))
    capsys.readouterr()
    assert apply(capsys, folder, "--if-unedited").startswith("unchanged m (")
    (folder / "m.asl.json").write_text(PASS)
    assert apply(capsys, folder, "--if-unedited").startswith("updated m (")


def test_a_machine_the_app_made_under_that_name_is_the_apps(folder, admin, capsys):
    make_machine(admin, "m", WAIT)
    out = apply(capsys, folder, "--if-unedited")
    assert out.startswith("kept m (")
    assert machine().definition == WAIT


def test_scripts_run_loads_the_examples_once_and_keeps_an_edit_to_pizza(admin, tmp_path, capsys):
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert apply(capsys, tmp_path / "examples", "--if-unedited").count("created ") == 4
    pizza = StateMachine.objects.get(name="pizza")
    pizza.definition = pizza.definition.replace("Is this pizza good to go?", "Good?")
    pizza.save()
    out = apply(capsys, tmp_path / "examples", "--if-unedited")
    assert out.count("unchanged ") == 4 and "keeps the edits made in the app" in out
    assert "Good?" in StateMachine.objects.get(name="pizza").definition
