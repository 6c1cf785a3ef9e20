"""The designer's pages and JSON endpoints.

Pages: the machine list (the home page), a form to create a machine and the
designer itself (a machine's runs are the viewer's: designer/viewer/). JSON
endpoints under /machines/<pk>/ (session auth + CSRF, like any form on the
site): validate, draft (autosave), save, publish, versions (list, one, diff),
import, export, run.

A definition travels as text, exactly as the code view shows it: the model
keeps it byte for byte (AWS returns it that way), and the layout (node
positions) travels beside it, never inside it.
"""
from __future__ import annotations

import difflib
import json
import uuid

import yaml
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_safe

import engine
from engine.serialize import InvalidPayload, read_payload
from designer import access, arns, machine_files, payloads, runtime, sample_inputs
from designer.editor.examples import load_examples
from designer.machine_files import MachineFiles
from designer.json_views import json_view, text_member
from designer.models import StateMachine, StateMachineVersion

BLANK = '{\n  "StartAt": "",\n  "States": {}\n}'
MAX_IMPORT_BYTES = 1024 * 1024  # AWS's limit for a definition


# --- helpers ------------------------------------------------------------------

def _layout(data) -> dict:
    layout = data.get("layout")
    return layout if isinstance(layout, dict) else {}


def problems_of(text: str) -> list[dict]:
    """The validator's problems for a definition's text (a JSON error is one too)."""
    try:
        definition = payloads.loads(text)
    except ValueError as e:
        return [{"path": "", "code": "INVALID_JSON_DESCRIPTION", "message": f"Not valid JSON: {e}", "severity": "ERROR"}]
    return [p.to_dict() for p in engine.validate(definition)]


def _same_document(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return payloads.loads(a) == payloads.loads(b)
    except ValueError:
        return False


def _errors(problems) -> list[dict]:
    return [p for p in problems if p["severity"] == "ERROR"]


def _save_definition(machine: StateMachine, text: str, layout: dict):
    machine.definition = text
    machine.draft = ""
    machine.layout = layout
    machine.revision_id = uuid.uuid4()
    machine.save(update_fields=["definition", "draft", "layout", "revision_id", "updated_at"])


def _urls(machine) -> dict:
    base = f"/machines/{machine.pk}/"
    return {
        "home": reverse("home"),
        "validate": base + "validate",
        "draft": base + "draft",
        "save": base + "save",
        "publish": base + "publish",
        "versions": base + "versions/",
        "diff": base + "versions/diff",
        "import": base + "import",
        "export": base + "export",
        "run": base + "run",
        "inputs": base + "inputs",
        "runs": base + "runs/",
    }


# --- pages --------------------------------------------------------------------

@login_required
@require_safe
def machine_list(request):
    machines = access.machines_for(request.user).select_related("owner")
    return render(request, "editor/home.html", {"machines": machines})


def _starting_point(template: str) -> MachineFiles | None:
    """What a new machine starts from: a blank definition, or an example's files (its layout and
    sample inputs too, when they are valid); None for no such example."""
    if template in ("", "blank"):
        return MachineFiles(template, BLANK, None, None)
    for example in load_examples(settings.STATELIGHT_EXAMPLES_DIR):
        if example.name == template and not example.error:
            files = machine_files.read(example.path)
            return files if not machine_files.problems(files) else MachineFiles(template, files.definition, None, None)
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def machine_new(request):
    examples = [e for e in load_examples(settings.STATELIGHT_EXAMPLES_DIR) if not e.error]
    form = {"name": "", "type": StateMachine.STANDARD, "template": "blank"}
    error = ""
    if request.method == "POST":
        form = {key: request.POST.get(key, default).strip() for key, default in form.items()}
        start = _starting_point(form["template"])
        arn = arns.arn("stateMachine", arns.DEFAULT_REGION, form["name"])
        if not arns.is_valid_name(form["name"]):
            error = "A name has 1 to 80 letters, digits, '-' or '_'."
        elif form["type"] not in (StateMachine.STANDARD, StateMachine.EXPRESS):
            error = "Choose Standard or Express."
        elif start is None:
            error = "No such example."
        elif StateMachine.objects.filter(arn=arn).exists():
            error = f"A state machine named {form['name']} already exists."
        else:
            try:
                machine = StateMachine.objects.create(
                    arn=arn, name=form["name"], region=arns.DEFAULT_REGION, owner=request.user, type=form["type"],
                    definition=start.definition, layout=start.layout(), sample_inputs=start.inputs(),
                    role_arn=f"arn:aws:iam::{arns.account_id()}:role/StatelightExecution")
            except IntegrityError:
                error = f"A state machine named {form['name']} already exists."
            else:
                return redirect("designer", pk=machine.pk)
    return render(request, "editor/machine_new.html",
                  {"form": form, "error": error, "examples": examples}, status=400 if error else 200)


@login_required
@require_GET
def designer(request, pk):
    machine = access.get_machine_for_user(request.user, pk=pk)
    config = {
        "machine": {"pk": machine.pk, "name": machine.name, "type": machine.type, "arn": machine.arn},
        "definition": machine.definition,
        "draft": machine.draft,
        "layout": machine.layout or {},
        "sampleInputs": sample_inputs.for_form(machine.sample_inputs),
        "urls": _urls(machine),
    }
    return render(request, "editor/designer.html", {"machine": machine, "config": config})


# --- JSON endpoints -------------------------------------------------------------

@json_view("POST")
def validate(request, pk):
    access.get_machine_for_user(request.user, pk=pk)
    return JsonResponse({"problems": problems_of(text_member(request.data, "definition"))})


@json_view("POST")
def save_draft(request, pk):
    # anything goes in a draft, invalid JSON included: it is work in progress
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data
    text = text_member(data, "definition")
    # a draft that says what the machine says (formatting aside) is no draft
    machine.draft = "" if _same_document(text, machine.definition) else text
    machine.layout = _layout(data)
    machine.save(update_fields=["draft", "layout", "updated_at"])
    return JsonResponse({"saved": "draft"})


@json_view("POST")
def save(request, pk):
    """Save the machine; an invalid definition is kept as the draft instead."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data
    text = text_member(data, "definition")
    problems = problems_of(text)
    if _errors(problems):
        machine.draft = text
        machine.layout = _layout(data)
        machine.save(update_fields=["draft", "layout", "updated_at"])
        return JsonResponse({"saved": "draft", "problems": problems})
    _save_definition(machine, text, _layout(data))
    return JsonResponse({"saved": "definition", "problems": problems})


@json_view("POST")
def publish(request, pk):
    """Save and publish a new immutable version; refused while there are errors."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data
    text = text_member(data, "definition")
    problems = problems_of(text)
    if _errors(problems):
        return JsonResponse({"error": "Fix the problems before publishing.", "problems": problems}, status=400)
    description = text_member(data, "description")
    with transaction.atomic():
        machine = StateMachine.objects.select_for_update().get(pk=machine.pk)
        _save_definition(machine, text, _layout(data))
        version = StateMachineVersion.objects.create(
            machine=machine, number=machine.next_version_number(), definition=text, layout=machine.layout,
            role_arn=machine.role_arn, description=description[:256], revision_id=machine.revision_id)
    return JsonResponse({"version": _version_dict(version)})


def _version_dict(version) -> dict:
    return {"number": version.number, "arn": version.arn, "description": version.description,
            "created_at": version.created_at.isoformat()}


@json_view("GET")
def versions(request, pk):
    machine = access.get_machine_for_user(request.user, pk=pk)
    return JsonResponse({"versions": [_version_dict(v) for v in machine.versions.all()]})


@json_view("GET")
def version(request, pk, number):
    machine = access.get_machine_for_user(request.user, pk=pk)
    found = machine.versions.filter(number=number).first()
    if found is None:
        return JsonResponse({"error": f"No version {number}."}, status=404)
    return JsonResponse({**_version_dict(found), "definition": found.definition, "layout": found.layout})


def _pretty(text: str) -> list[str]:
    # compare documents, not formatting: the same JSON diffs as equal
    try:
        text = json.dumps(payloads.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pass
    return text.splitlines()


@json_view("POST")
def version_diff(request, pk):
    """A unified diff between two of: a version number, "saved", "editor" (the text sent)."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data

    def side(which):
        which = str(which or "")
        if which == "saved":
            return "saved", machine.definition
        if which == "editor":
            return "editor", text_member(data, "definition")
        if which.isdigit():
            found = machine.versions.filter(number=int(which)).first()
            if found is not None:
                return f"version {which}", found.definition
        return None, None

    (a_name, a), (b_name, b) = side(data.get("from")), side(data.get("to"))
    if a is None or b is None:
        return JsonResponse({"error": "Choose two versions to compare."}, status=400)
    lines = list(difflib.unified_diff(_pretty(a), _pretty(b), a_name, b_name, lineterm="", n=3))
    return JsonResponse({"from": a_name, "to": b_name, "lines": lines[2:]})  # without the ---/+++ header


def parse_import(text: str):
    """An ASL document given as JSON or YAML -> (definition, error)."""
    try:
        definition = payloads.loads(text)
    except payloads.TooDeep as e:
        return None, f"Not a state machine: {e}."
    except ValueError:
        try:
            definition = payloads.check_depth(yaml.safe_load(text))
        except yaml.YAMLError as e:
            return None, f"Neither JSON nor YAML: {str(e).splitlines()[0]}"
        except (payloads.TooDeep, RecursionError):
            return None, f"Not a state machine: {payloads.TooDeep()}."
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        return None, "Not a state machine: it needs a States object."
    try:
        json.dumps(definition)
    except (TypeError, ValueError):
        # YAML dates and the like have no JSON form
        return None, "The document has values JSON cannot hold (dates? quote them)."
    return definition, None


@json_view("POST")
def import_definition(request, pk):
    access.get_machine_for_user(request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_IMPORT_BYTES:
            return JsonResponse({"error": "The file is larger than 1 MiB."}, status=400)
        raw = upload.read()
    else:
        raw = (request.POST.get("text") or "").encode()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return JsonResponse({"error": "The file is not UTF-8 text."}, status=400)
    if not text.strip():
        return JsonResponse({"error": "Nothing to import."}, status=400)
    definition, error = parse_import(text)
    if error:
        return JsonResponse({"error": error}, status=400)
    return JsonResponse({"definition": definition})


@login_required
@require_GET
def export(request, pk):
    machine = access.get_machine_for_user(request.user, pk=pk)
    text = machine.draft if request.GET.get("draft") and machine.draft else machine.definition
    response = HttpResponse(text, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{machine.name}.asl.json"'
    return response


@json_view("POST")
def run(request, pk):
    """Save the editor's definition (it must be valid), start it, say where to watch."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data
    text = text_member(data, "definition") or machine.definition
    problems = problems_of(text)
    if _errors(problems):
        return JsonResponse({"error": "Fix the problems before running.", "problems": problems}, status=400)
    input_text = text_member(data, "input") or "{}"
    try:
        payloads.loads(input_text)
    except ValueError as e:
        return JsonResponse({"error": f"The input is not valid JSON: {e}"}, status=400)
    mock = text_member(data, "mock_test_case")
    if text != machine.definition:
        _save_definition(machine, text, _layout(data) or machine.layout)
    try:
        execution = runtime.start_execution(machine, owner=request.user, input_text=input_text,
                                            mock_test_case=mock.strip())
    except runtime.RefusedRequest as e:
        return JsonResponse({"error": e.message}, status=400)
    return JsonResponse({"execution": execution.pk, "arn": execution.arn, "url": f"/executions/{execution.pk}/"})


@json_view("POST")
def save_input(request, pk):
    """Keep the editor's input as the sample input `name` (in the place of one so named, else
    last), or with {"delete": true} remove that one; answers the machine's sample inputs."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    data = request.data
    name = text_member(data, "name")
    with transaction.atomic():
        machine = StateMachine.objects.select_for_update().get(pk=machine.pk)
        try:
            inputs = sample_inputs.parse(machine.sample_inputs)
            if data.get("delete") is True:
                if inputs.pop(name, None) is None:
                    return JsonResponse({"error": f"There is no sample input named {name!r}."}, status=404)
            else:
                inputs[name] = read_payload(text_member(data, "input"), what="The input")
                sample_inputs.check(inputs)
        except sample_inputs.InvalidInputs as e:
            return JsonResponse({"error": f"Cannot keep the sample inputs: {e}."}, status=400)
        except InvalidPayload as e:
            return JsonResponse({"error": str(e)}, status=400)
        machine.sample_inputs = sample_inputs.dumps(inputs)
        machine.save(update_fields=["sample_inputs", "updated_at"])
    return JsonResponse({"inputs": sample_inputs.for_form(machine.sample_inputs)})
