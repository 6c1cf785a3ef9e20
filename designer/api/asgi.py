"""The API's way in under ASGI, ahead of Django's request handling.

    application = with_aws_api(get_asgi_application())

A `POST /` goes straight to the API (designer.api.protocol.answer): no
middleware, no request signals, no per-request thread. The API needs none
of them (it is CSRF-exempt, never redirects, has no session, answers its
own errors), and together they cost about 3 ms of CPU per request, more
than the API's own work, which caps a one-process server well below the
200 StartExecution calls per second it aims at. Everything else, and every
request under WSGI, takes the Django view (designer.views.root), which
gives the same answers.
"""
from __future__ import annotations

import io
import json

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest

from .errors import ApiError
from .protocol import CONTENT_TYPE, MAX_BODY, answer, too_large


def with_aws_api(django_app):
    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and _is_root(scope):
            await _serve(scope, receive, send)
        else:
            await django_app(scope, receive, send)
    return application


def _is_root(scope) -> bool:
    # "/" of the app, as Django's URL resolver would see it (path_info)
    path = scope["path"]
    prefix = (settings.FORCE_SCRIPT_NAME or scope.get("root_path") or "").rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    return path == "/"


async def _serve(scope, receive, send):
    body = await _read_body(receive)
    if body is None:
        return  # the client went away
    if len(body) > MAX_BODY:
        error = too_large()
        status, payload, request_id = error.status, error.to_dict(), ""
    else:
        try:
            request = ASGIRequest(scope, io.BytesIO(body))
        except (UnicodeDecodeError, ValueError):
            error = ApiError("SerializationException", "The request has headers that cannot be read")
            status, payload, request_id = error.status, error.to_dict(), ""
        else:
            status, payload, request_id = await answer(request, body)
    content = json.dumps(payload, separators=(",", ":")).encode()
    headers = [(b"content-type", CONTENT_TYPE.encode()), (b"content-length", str(len(content)).encode())]
    if request_id:
        headers.append((b"x-amzn-requestid", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _read_body(receive) -> bytes | None:
    """The request body, read up to one byte past the limit (enough to refuse it)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        if size <= MAX_BODY:
            chunks.append(chunk)
            size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
