"""`POST /`: the AWS Step Functions wire protocol (AWS JSON 1.0).

    POST /  Content-Type: application/x-amz-json-1.0
            X-Amz-Target: AWSStepFunctions.StartExecution
            Authorization: AWS4-HMAC-SHA256 Credential=...  (Signature Version 4)
            {"stateMachineArn": "...", "input": "{}"}

The site's `/` view (designer/views.py) brings a POST here (api()), and
so, under ASGI, does designer/api/asgi.py, without Django's middleware
(answer()). Async: under ASGI a sync view would hold a thread, and
GetActivityTask's long poll holds its request for up to 60 seconds. The
database work of a request (authentication and the operation) runs in one
hop to a worker thread of the API's own pools (never the one thread ASGI
shares between sync code); only the long poll itself waits on the event
loop. Every error is an AWS-shaped HTTP 400 (never a login
redirect, a CSRF failure or Django's own 413/500 page).
"""
from __future__ import annotations

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from django.http import HttpResponse

from designer import payloads

# the operation modules register themselves in registry.OPERATIONS
from . import activities, aliases, executions, machines, tags, validation  # noqa: F401
from .auth import authenticate, signed_request
from .errors import ApiError
from .params import Params
from .registry import OPERATIONS, UNSUPPORTED, Call

logger = logging.getLogger(__name__)

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
# Larger than any valid request: a 1 MiB definition sent by botocore, with
# every character escaped (a surrogate pair, \uXXXX\uXXXX, is 12 bytes), stays
# under it. Read by the view itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# (2.5 MB) never answers instead.
MAX_BODY = 16 * 1024 * 1024

# The threads that do the API's database work. Each keeps its database
# connection from one request to the next. Operations that can block for
# long (StartSyncExecution runs a whole execution) have threads of their own,
# so they never hold up the quick ones.
THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="statelight-api")
SLOW_THREADS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="statelight-api-slow")


async def api(request):
    """The Django view of the API (WSGI, and ASGI when it is not served by
    designer.api.asgi's shortcut): the same answer either way."""
    try:
        body = _read_body(request)
    except ApiError as e:
        return _response(e.to_dict(), str(uuid.uuid4()), status=e.status)
    status, payload, request_id = await answer(request, body)
    return _response(payload, request_id, status=status)


async def answer(request, body: bytes) -> tuple[int, dict, str]:
    """(HTTP status, JSON members, request id) for an API request and its body."""
    request_id = str(uuid.uuid4())
    target = request.headers.get("X-Amz-Target", "")
    try:
        operation = _operation(target)
        signed = signed_request(request, body)
        executor = SLOW_THREADS if operation.slow else THREADS
        call, prepared = await sync_to_async(_prepare_and_run, thread_sensitive=False, executor=executor)(
            operation, signed, body)
        if operation.is_async:
            try:
                result = await operation.function(call, *prepared)
            except Exception as e:
                _reraise(e)
        else:
            result = prepared
    except ApiError as e:
        logger.info("API %s -> %s", target or "(no target)", e.code)
        return e.status, e.to_dict(), request_id
    except Exception:
        # the operation's name only: request bodies carry execution data and headers carry signatures
        logger.exception("API %s failed", target)
        return 500, {"__type": "com.amazon.coral.service#InternalFailure",
                     "message": f"Statelight failed to process the request (request id {request_id})."}, request_id
    return 200, result, request_id


def _operation(target: str):
    if not target:
        raise ApiError("UnknownOperationException",
                       "Missing X-Amz-Target header: name the operation as 'X-Amz-Target: "
                       "AWSStepFunctions.<Operation>' (boto3 and the AWS CLI do)")
    prefix, _, name = target.partition(".")
    if prefix + "." != TARGET_PREFIX or not name:
        raise ApiError("UnknownOperationException",
                       f"Unknown X-Amz-Target '{target[:100]}': this endpoint speaks AWSStepFunctions.<Operation>")
    operation = OPERATIONS.get(name)
    if operation is None:
        if name in UNSUPPORTED:
            raise ApiError("UnknownOperationException", f"Statelight does not support the operation {name}")
        raise ApiError("UnknownOperationException", f"Unknown operation: {name[:100]}")
    return operation


def _read_body(request) -> bytes:
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise too_large()
    return body


def too_large() -> ApiError:
    return ApiError("ValidationException", f"The request body is larger than {MAX_BODY // (1024 * 1024)} MiB")


def _parse(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        # lone surrogates are answered member by member (params.py), each with its own error
        data = payloads.loads(body, what="The request body", surrogates=True)
    except ValueError as e:  # not UTF-8, not JSON, NaN or 1e999, too deep
        raise ApiError("SerializationException", str(e)) from None
    if not isinstance(data, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object of the operation's members")
    return data


def _prepare_and_run(operation, signed, body):
    """In a worker thread: authenticate, read the members, run the operation (or,
    for an async one, its preparation). (call, result or prepared arguments)."""
    try:
        user, region, access_key_id = authenticate(signed)
        call = Call(operation.name, user, region, Params(_parse(body)), access_key_id)
        if operation.is_async:
            return call, operation.prepare(call)
        return call, _convert_runtime_errors(operation.function, call)
    finally:
        # worker threads keep their connection between requests; drop it
        # only when it broke (or when CONN_MAX_AGE says it has lived long enough)
        if connection.errors_occurred:
            close_old_connections()


def _convert_runtime_errors(function, *args):
    try:
        return function(*args)
    except Exception as e:
        _reraise(e)


def _reraise(error: Exception):
    """The runtime's exceptions (designer.runtime.errors) carry the AWS error
    they stand for (`aws_name`): raise them as that API error; anything else as it is."""
    if isinstance(error, ApiError) or not type(error).__module__.startswith("designer.runtime"):
        raise error
    code = getattr(error, "aws_name", None) or type(error).__name__
    raise ApiError(code, str(error) or code) from error


def _response(payload: dict, request_id: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(payload, separators=(",", ":")), content_type=CONTENT_TYPE, status=status)
    response["x-amzn-RequestId"] = request_id
    return response
