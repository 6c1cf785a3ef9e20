"""The execution viewer and a machine's executions: pages and JSON endpoints.

Pages: a machine's executions (live list + a form to start one with an input
and, optionally, a mock test case) and the live execution viewer (graph,
events, state detail, timeline; static/src/viewer/). JSON endpoints under
/executions/<pk>/ (session auth + CSRF): history, one state's runs (with
what its Python handlers logged, per attempt), one attempt's log lines,
pending tasks, answering a callback/activity task, stop and redrive. The live stream itself is a
websocket (consumers.py).

Who may see and act: the machine's owner and staff; anyone else gets a 404
(never say it exists): designer/access.py. Approvals are decided through
designer/approvals/, which has its own rule (the approvers).
"""
from __future__ import annotations

import json
import logging

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import access, payloads, runtime, sample_inputs
from designer.approvals.cards import approval_dict
from designer.json_views import BadBody, json_view, read_body, text_member, wants_json
from designer.models import Execution, HistoryEvent, TaskLog, TaskToken

from .feed import events_message
from .runs import CONTAINER_EVENTS, EXECUTION_EVENTS, StateRuns, resources_of

log = logging.getLogger(__name__)

HISTORY_PAGE = 1000


# --- a machine's executions ---------------------------------------------------------

def _runs_page(request, machine, form=None, error="", status=200):
    """The runs page; its start form pre-filled with the first sample input, or `form` as sent."""
    samples = sample_inputs.for_form(machine.sample_inputs)
    if form is None:
        form = {"input": samples[0]["text"] if samples else "{}", "name": "", "mock_test_case": ""}
    return render(request, "viewer/runs.html", {
        "machine": machine, "executions": machine.executions.all()[:200], "form": form, "error": error,
        "samples": samples, "config": {"ws": f"/ws/machines/{machine.pk}/executions/"},
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def executions(request, pk):
    return _runs_page(request, access.get_machine_for_user(request.user, pk=pk))


@json_view("GET")
def executions_json(request, pk):
    machine = access.get_machine_for_user(request.user, pk=pk)
    return JsonResponse({"executions": [e.summary() for e in machine.executions.all()[:200]]})


@login_required
@require_POST
def start(request, pk):
    """Start the machine's saved definition with an input (JSON text), a name and a mock test case, all optional."""
    machine = access.get_machine_for_user(request.user, pk=pk)
    form = {"input": "{}", "name": "", "mock_test_case": ""}
    try:
        data = read_body(request)
        form = {"input": text_member(data, "input") or "{}", "name": text_member(data, "name").strip(),
                "mock_test_case": text_member(data, "mock_test_case").strip()}
        payloads.loads(form["input"])
        execution = runtime.start_execution(machine, owner=request.user, input_text=form["input"],
                                            name=form["name"] or None, mock_test_case=form["mock_test_case"])
    except BadBody as e:
        error = e.message
    except ValueError as e:
        error = f"The input is not valid JSON: {e}"
    except runtime.RefusedRequest as e:
        error = e.message
    else:
        url = reverse("execution", args=[execution.pk])
        if wants_json(request):
            return JsonResponse({"execution": execution.pk, "arn": execution.arn, "url": url})
        return HttpResponseRedirect(url)
    if wants_json(request):
        return JsonResponse({"error": error}, status=400)
    return _runs_page(request, machine, form, error, status=400)


# --- one execution ------------------------------------------------------------------

def _layout_for(execution: Execution) -> dict:
    """Saved positions, when they were made for the definition this execution runs."""
    if execution.version is not None and execution.version.definition == execution.definition:
        return execution.version.layout or {}
    if execution.machine.definition == execution.definition:
        return execution.machine.layout or {}
    return {}


@login_required
@require_GET
def execution(request, pk):
    execution = access.get_execution_for_user(request.user, pk=pk)
    base = f"/executions/{execution.pk}/"
    config = {
        "execution": execution.summary(),
        "machine": {"pk": execution.machine.pk, "name": execution.machine.name,
                    "designer": reverse("designer", args=[execution.machine.pk]),
                    "executions": reverse("machine-runs", args=[execution.machine.pk])},
        "definition": execution.definition,
        "layout": _layout_for(execution),
        "urls": {"ws": f"/ws{base}", "history": base + "history", "tasks": base + "tasks", "stop": base + "stop",
                 "redrive": base + "redrive", "state": base + "states/", "runs": base + "runs/"},
    }
    return render(request, "viewer/execution.html", {"execution": execution, "config": config})


@json_view("GET")
def history(request, pk):
    """Stored events after ?after=N (default 0), at most 1000 per call, as the socket sends them
    (events_message(): GetExecutionHistory's events, their runs and the paths of the runs opened)."""
    execution = access.get_execution_for_user(request.user, pk=pk)
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        return JsonResponse({"error": "after is an event id."}, status=400)
    rows = HistoryEvent.objects.filter(execution=execution, event_id__gt=after).order_by("event_id")[:HISTORY_PAGE]
    envelopes = [row.envelope() for row in rows]
    return JsonResponse({"execution": execution.summary(), **events_message(envelopes),
                         "more": len(envelopes) == HISTORY_PAGE})


@json_view("GET")
def state_detail(request, pk, name):
    """One state's runs (input, output, error/cause, attempts with their handler's log lines, timing;
    a Map's iterations); ?iteration=i for one Map iteration. Read from the state's own events and
    those that can end its runs, found by name and run (indexed): never the whole history."""
    execution = access.get_execution_for_user(request.user, pk=pk)
    index = request.GET.get("iteration")
    if index not in (None, "") and not index.isdigit():
        return JsonResponse({"error": "iteration is an index."}, status=400)
    runs = _runs_of_state(execution, name)
    logs = _attempt_logs(TaskLog.objects.filter(execution=execution, state_name=name))
    tasks = TaskToken.objects.filter(execution=execution, state_name=name, answered_at=None).select_related(
        "execution__machine")
    return JsonResponse({
        "name": name, "status": runs.status_of(name),
        "runs": [_with_logs(run.to_dict(), logs) for run in runs.of_state(name, int(index) if index else None)],
        "pending": [_task_dict(task, request) for task in tasks],
    })


def _runs_of_state(execution: Execution, name: str) -> StateRuns:
    """The state's runs: its events (by its name's runs), its containers' entries and the events of
    theirs that end runs inside them, and the execution's own."""
    events = HistoryEvent.objects.filter(execution=execution)
    runs = events.filter(state_name=name).values("event_id")
    own = list(events.filter(state_run__in=runs))
    containers = {container for event in own for container, _ in event.path or ()}
    around = events.filter(Q(state_run__in=containers, type__in=CONTAINER_EVENTS)
                           | Q(state_run=None, type__in=EXECUTION_EVENTS))
    try:
        definition = json.loads(execution.definition)
    except ValueError:
        definition = None
    events = {event.event_id: event for event in [*own, *around]}  # a container may share the state's name
    return StateRuns(resources_of(definition)).add_all(events[i].envelope() for i in sorted(events))


@json_view("GET")
def attempt_logs(request, pk, run, attempt):
    """What a Python handler logged and printed during one attempt of one state run: {"lines", "dropped"}."""
    execution = access.get_execution_for_user(request.user, pk=pk)
    found = _attempt_logs(TaskLog.objects.filter(execution=execution, entered_event_id=run, attempt=attempt))
    return JsonResponse(found.get((run, attempt), {"lines": [], "dropped": 0}))


def _attempt_logs(rows) -> dict:
    """{(state run, attempt): {"lines", "dropped"}} of TaskLog rows (an attempt performed twice, its
    worker having died, has the lines of both)."""
    out = {}
    for row in rows.order_by("id"):
        logs = out.setdefault((row.entered_event_id, row.attempt), {"lines": [], "dropped": 0})
        logs["lines"] += row.lines
        logs["dropped"] += row.dropped
    return out


def _with_logs(run: dict, logs: dict) -> dict:
    for index, attempt in enumerate(run["attempts"]):
        attempt["logs"] = logs.get((run["id"], index), {"lines": [], "dropped": 0})
    return run


def _task_dict(task: TaskToken, request) -> dict:
    try:
        task_input = json.loads(task.input)
    except ValueError:
        task_input = task.input
    data = {"id": task.pk, "kind": task.kind, "state": task.state_name, "input": task_input,
            "createdAt": task.created_at.timestamp(),
            "startedAt": task.started_at.timestamp() if task.started_at else None,
            "worker": task.worker_name}
    if task.kind == TaskToken.APPROVAL:
        data["approval"] = approval_dict(task, request.user, request)
    else:
        data["answerUrl"] = reverse("execution-answer", args=[task.execution_id, task.pk])
    return data


@json_view("GET")
def tasks(request, pk):
    """The execution's tasks waiting for an answer from outside: callbacks, activities, approvals."""
    execution = access.get_execution_for_user(request.user, pk=pk)
    pending = (TaskToken.objects.filter(execution=execution, answered_at=None).order_by("id")
               .select_related("execution__machine"))
    return JsonResponse({"tasks": [_task_dict(task, request) for task in pending]})


@json_view("POST")
def answer(request, pk, task_pk):
    """Answer a pending callback or activity task, as SendTaskSuccess / SendTaskFailure would:
    {"outcome": "success", "output": "<JSON text>"} or {"outcome": "failure", "error", "cause"}."""
    execution = access.get_execution_for_user(request.user, pk=pk)
    task = access.get_task_token_for_user(request.user, pk=task_pk, execution=execution)
    if task.kind == TaskToken.APPROVAL:
        return JsonResponse({"error": "An approval is decided with its choices."}, status=400)
    data = request.data
    outcome = data.get("outcome")
    try:
        if outcome == "success":
            runtime.send_task_success(task.token, text_member(data, "output") or "{}")
        elif outcome == "failure":
            runtime.send_task_failure(task.token, text_member(data, "error") or None,
                                      text_member(data, "cause") or None)
        else:
            return JsonResponse({"error": 'outcome is "success" or "failure".'}, status=400)
    except (runtime.TaskTimedOut, runtime.TaskDoesNotExist) as e:
        return JsonResponse({"error": e.message}, status=409)
    except runtime.RefusedRequest as e:
        return JsonResponse({"error": e.message}, status=400)
    log.info("task %s of %s (%s) answered from the viewer by %s: %s", task.pk, execution.arn, task.state_name,
             request.user.get_username(), outcome)
    return JsonResponse({"answered": task.pk, "outcome": outcome})


@json_view("POST")
def stop(request, pk):
    execution = access.get_execution_for_user(request.user, pk=pk)
    data = request.data
    try:
        cause = text_member(data, "cause") or f"Stopped by {request.user.get_username()}."
        execution = runtime.stop_execution(execution, error=text_member(data, "error") or None, cause=cause)
    except runtime.RefusedRequest as e:
        return JsonResponse({"error": e.message}, status=400)
    return JsonResponse({"execution": execution.summary()})


@json_view("POST")
def redrive(request, pk):
    execution = access.get_execution_for_user(request.user, pk=pk)
    try:
        execution = runtime.redrive_execution(execution)
    except runtime.RefusedRequest as e:
        return JsonResponse({"error": e.message}, status=400)
    return JsonResponse({"execution": execution.summary()})
