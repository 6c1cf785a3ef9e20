"""Fuzzing the site's own pages and JSON endpoints (issue 9 §2): every route of designer/urls.py,
listed from the URLconf (a new endpoint is covered without a word here), gets hostile bodies
(JSON nested 5,000 levels, NaN, 1e999, lone surrogates, huge and wrong-typed members, broken
JSON, forms, uploads) and hostile query strings, for objects that exist and objects that do not.
Not one answer may be a server error. The seed is fixed (tests/fuzzing.py)."""
import json
import random
import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from designer import access_keys
from designer import runtime as rt
from designer.models import TaskToken
from tests.fuzzing import HOSTILE_BODIES, HOSTILE_TEXTS, HOSTILE_VALUES, PASS, body, deep_array
from tests.helpers import FakeClock, make_machine

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 9
# what the site's views read from a body (a new member name belongs here)
MEMBERS = ["form", "field:n", "field:s", "comment", "choice", "definition", "layout", "input", "name",
           "mock_test_case", "description", "from", "to", "outcome", "output", "error", "cause", "text"]
# the other members of a body that one hostile member joins: valid-ish, so that it is read past them
VALID = {"definition": json.dumps(PASS), "input": '"{}"', "choice": '"Approve"', "comment": '"fine"',
         "outcome": '"success"', "output": '"{}"', "form": '{"n": 1, "s": "a"}'}
TEXT_MEMBERS = {"definition", "input", "output", "text"}
QUERY_VALUES = ["", "-1", "1e999", "NaN", "9" * 5000, "9" * 30, "\u00b2", "%ED%A0%80", "%00", "%FF", "a" * 10_000, "1", "0"]
QUERY_NAMES = ["after", "iteration", "draft"]
NAMES = ["Ask", "Nope", "%ED%A0%80", "a/b/../c", "%00", "x" * 5000]
WAITING = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": True,
        "Parameters": {"FunctionName": "Nobody", "Payload": {"token.$": "$$.Task.Token"}}}}},
    {"StartAt": "Check", "States": {"Check": {
        "Type": "Task", "Resource": "arn:aws:states:::statelight:approval", "End": True,
        "Parameters": {"Form": [{"Name": "n", "Type": "number"}, {"Name": "s", "Type": "select", "Options": ["a"]}],
                       "Comment": "required"}}}}]}}}
UPLOADS = [("{" * 5000).encode(), ("[" * 5000).encode(), ("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 1500))).encode(),
           b"a: &a [1,1,1,1,1,1,1,1,1,1]\n" + b"".join(b"%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n" % (
               (98 + i, 98 + i) + (97 + i,) * 10) for i in range(20)),
           b"\xff\xfe\x00", PASS.encode(), b"StartAt: A\nStates: {A: {Type: Pass, End: true}}\n", b"- !!python/name:os.system"]


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.callback.__module__.startswith("designer."):
            yield prefix + str(pattern.pattern), pattern


def site_routes():
    """Every route of the site's own views (not the admin's or Django's login views)."""
    return list(_routes(get_resolver().url_patterns))


@pytest.fixture
def world(alice):
    """alice's machine, an execution waiting for a callback and an approval, an access key."""
    worker = rt.Runtime(inline_tasks=True, worker_id="test:fuzz", clock=FakeClock())
    machine = make_machine(alice, "Fuzzed", WAITING)
    execution = rt.start_execution(machine, owner=alice)
    worker.drain()
    task = TaskToken.objects.get(execution=execution, kind=TaskToken.CALLBACK)
    approval = TaskToken.objects.get(execution=execution, kind=TaskToken.APPROVAL)
    key, _ = access_keys.issue(alice)
    return {"machines": machine.pk, "executions": execution.pk, "approvals": approval.pk, "task_pk": task.pk,
            "key_id": key.pk, "number": 1, "run": 2, "attempt": 0, "name": "Ask", "worker": worker}


def _paths(route, pattern, world):
    """(path, every request?): the route with the ids of things that exist (every request), then
    with ids of nothing and hostile names (a few)."""
    first = route.split("/", 1)[0]
    real = {name: world["machines" if name == "pk" and first == "machines" else
                        first if name == "pk" else name] for name in pattern.pattern.converters}
    yield _fill(route, real), True
    if real:
        yield _fill(route, {name: 999_999 for name in real}), False
    if "name" in real:
        for hostile in NAMES:
            yield _fill(route, {**real, "name": hostile}), False


def _fill(route, values):
    for name, value in values.items():
        route = route.replace(f"<int:{name}>", str(value)).replace(f"<path:{name}>", str(value))
    return "/" + route


def _requests(rng):
    """(what, method, query, body, content type) for one path."""
    yield "GET", "GET", "", None, None
    for name in QUERY_NAMES:
        for value in rng.sample(QUERY_VALUES, 4):
            yield f"GET ?{name}={value[:20]}", "GET", f"?{name}={value}", None, None
    for method in ("PUT", "DELETE", "PATCH"):
        yield method, method, "", b"{}", "application/json"
    for raw in HOSTILE_BODIES:
        yield f"body {raw[:20]!r}", "POST", "", raw, "application/json"
    # each route gets its own draw of the hostile values (the seed fixes which): across the routes
    # every one is sent many times, and the whole fuzz stays near half a minute
    for member in MEMBERS:
        for fragment in rng.sample(HOSTILE_VALUES, 3) + ['{"n": "1e999", "s": "a"}', '{"n": 1, "s": "\\ud800"}']:
            yield f"{member} = {fragment[:20]}", "POST", "", body({**VALID, member: fragment}).encode(), \
                "application/json"
        texts = rng.sample(HOSTILE_TEXTS, 8 if member in TEXT_MEMBERS else 2)
        for text in texts:
            raw = body({**VALID, member: json.dumps(text)}).encode("utf-8", "surrogatepass")
            yield f"{member} = text {text[:20]!r}", "POST", "", raw, "application/json"
        for value in rng.sample(QUERY_VALUES, 2):
            yield f"form {member}={value[:20]}", "POST", "", f"choice=Approve&comment=fine&{member}={value}".encode(), \
                "application/x-www-form-urlencoded"
    yield "form deep", "POST", "", b"definition=" + quote(deep_array()).encode(), "application/x-www-form-urlencoded"


def test_no_page_or_endpoint_answers_with_a_server_error(alice, carol, world):
    owner, staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    owner.force_login(alice)
    staff.force_login(carol)  # who may decide the approval
    rng = random.Random(SEED)
    failures, sent, started = [], 0, time.monotonic()
    routes = site_routes()
    assert len(routes) >= 25  # the URLconf is read, not an empty list
    for route, pattern in routes:
        client = staff if route.startswith("approvals/") else owner
        for path, every in _paths(route, pattern, world):
            requests = list(_requests(rng))
            for what, method, query, raw, content_type in (requests if every else rng.sample(requests, 8)):
                response = _send(client, method, path + query, raw, content_type)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {path[:80]} ({what}): HTTP {response.status_code}")
            if "import" in route and every:
                for upload in UPLOADS:
                    response = client.post(path, {"file": _file(upload)})
                    sent += 1
                    if response.status_code >= 500:
                        failures.append(f"POST {path} (upload {upload[:20]!r}): HTTP {response.status_code}")
            world["worker"].drain()
    print(f"fuzz: {sent} page requests over {len(routes)} routes in {time.monotonic() - started:.1f} s")
    assert not failures, f"{len(failures)} of {sent} answers were server errors:\n" + "\n".join(failures[:60])


def _send(client, method, path, raw, content_type):
    if raw is None:
        return client.generic(method, path)
    return client.generic(method, path, data=raw, content_type=content_type)


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("machine.yaml", content, content_type="application/x-yaml")
