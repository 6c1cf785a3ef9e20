"""What every JSON endpoint of the site shares: one decorator, one body reader.

    @json_view("POST")
    def save(request, pk):
        data = request.data            # the body: a JSON object, or a form's fields
        ...
        return JsonResponse({...})

The decorator answers for the view when the visitor is not logged in (401, never a redirect to
the login page), when the method is not one it takes (405), when the body is too big (413) or
not a JSON object (400), and when the view raises Http404 (designer/access.py's helpers do):
always `{"error": "..."}`. CSRF is Django's middleware's, as for any form.
"""
from __future__ import annotations

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse

from designer import payloads

# A definition of AWS's maximum size (1 MiB) and its layout fit in one body.
MAX_BODY = 2 * 1024 * 1024
_BODY_METHODS = ("POST", "PUT", "PATCH")


class BadBody(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def json_view(*methods):
    """Log in first, one of `methods` (GET also answers HEAD), the body read into request.data."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error(401, "Log in first.")
            if request.method not in allowed:
                response = error(405, f"{request.method} is not allowed here.")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                request.data = read_body(request) if request.method in _BODY_METHODS else {}
                return view(request, *args, **kwargs)
            except BadBody as e:
                return error(e.status, e.message)
            except Http404 as e:
                return error(404, str(e) or "Not found.")
        return wrapper
    return decorate


def read_body(request) -> dict:
    """A request's body: its JSON object (application/json), else its form fields. BadBody when
    it is larger than MAX_BODY or not a JSON object."""
    too_big = BadBody(413, f"The request body is larger than {MAX_BODY // (1024 * 1024)} MiB.")
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
            raise too_big
        if request.content_type != "application/json":
            return request.POST.dict()
        raw = request.body
    except RequestDataTooBig:  # Django's own cap, for a body that did not say its length
        raise too_big from None
    if len(raw) > MAX_BODY:
        raise too_big
    if not raw.strip():
        return {}
    try:
        data = payloads.loads(raw, what="The request body")
    except ValueError as e:
        raise BadBody(400, str(e)) from None
    if not isinstance(data, dict):
        raise BadBody(400, "The request body must be a JSON object.")
    return data


def whole_number(text, maximum: int = 2**31 - 1) -> int | None:
    """A whole number from 0 to `maximum` written in ASCII digits (a query parameter, a form field),
    else None: int() refuses 5,000 digits, a database an integer past its column's range."""
    text = str(text)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def text_member(data: dict, key: str) -> str:
    """A member that must be text: '' when absent or of another type."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def wants_json(request) -> bool:
    """A form that also answers scripts: JSON for a JSON body or an Accept asking for it."""
    return request.content_type == "application/json" or "application/json" in request.headers.get("Accept", "")


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
