"""`arn:aws:states:::http:invoke`: call an HTTP API, as Step Functions' HTTP Task does.
https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html

Parameters: ApiEndpoint, Method, Headers, QueryParameters, RequestBody,
Transform {RequestBodyEncoding: NONE | URL_ENCODED, RequestEncodingOptions:
{ArrayFormat: BRACKETS | COMMAS | REPEAT | INDICES}}, Authentication
{ConnectionArn}. The result is {Headers, ResponseBody, StatusCode, StatusText}
(a JSON response body parsed); a status outside 2xx fails the task with
States.Http.StatusCode.NNN, a network failure or timeout with
States.Http.Socket (AWS's names). A call takes at most 60 seconds (AWS's
limit) or the state's TimeoutSeconds if shorter.

Credentials come from a Connection row (ConnectionArn), never from the
definition: its parameters are EventBridge's AuthParameters, stored
encrypted:
    {"ApiKeyAuthParameters": {"ApiKeyName", "ApiKeyValue"}}
    {"BasicAuthParameters": {"Username", "Password"}}
    {"OAuthParameters": {"AuthorizationEndpoint", "HttpMethod",
                         "ClientParameters": {"ClientID", "ClientSecret"},
                         "OAuthHttpParameters": {"HeaderParameters": [{"Key", "Value"}],
                                                 "QueryStringParameters": [...], "BodyParameters": [...]}}}
  plus optional "InvocationHttpParameters" (same three lists) added to every call.
OAuth tokens (client credentials grant) are fetched and cached until they expire.

Server-side request forgery: every address the host resolves to must be a
public one (loopback, private, link-local, shared, reserved and multicast
addresses are refused; an IPv6 address that carries an IPv4 one, such as
NAT64's 64:ff9b::7f00:1 or 6to4's 2002:7f00:1::, is judged by the IPv4 address
inside) unless STATELIGHT_HTTP_ALLOW_PRIVATE is on; the check runs on what
getaddrinfo answers (so 2130706433, 0x7f.1 and 127.1 are 127.0.0.1) when the
socket connects, on the address actually used, so a DNS answer
that changes between check and use (rebinding) gains nothing.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import threading
import time
import uuid
from urllib.parse import quote

import httpcore
import httpx
from django.conf import settings

from designer import access, arns, crypto
from designer.models import Connection

from .tasks import failed, succeeded

HTTP_INVOKE = "arn:aws:states:::http:invoke"
MAX_SECONDS = 60
METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}
ARRAY_FORMATS = {"BRACKETS", "COMMAS", "REPEAT", "INDICES"}
REFUSED = "Statelight refused to connect"


class Refused(httpcore.ConnectError):
    """A connection to a non-public address, refused before it was made."""


# --- connections --------------------------------------------------------------

def save_connection(owner, name: str, authorization_type: str, auth_parameters: dict, *,
                    region: str = arns.DEFAULT_REGION) -> Connection:
    """Create a connection (EventBridge-style ARN) with its parameters encrypted."""
    if authorization_type not in dict(Connection.TYPES):
        raise ValueError(f"authorization_type must be one of {', '.join(dict(Connection.TYPES))}")
    arn = f"arn:aws:events:{region}:{arns.account_id()}:connection/{name}/{uuid.uuid4()}"
    return Connection.objects.create(arn=arn, name=name, owner=owner, authorization_type=authorization_type,
                                     encrypted_parameters=crypto.encrypt(json.dumps(auth_parameters)))


def connection_parameters(connection: Connection) -> dict:
    text = crypto.decrypt(connection.encrypted_parameters)
    if text is None:
        raise ValueError(f"the credentials of connection {connection.name} were encrypted under another "
                         "SECRET_KEY; store them again")
    return json.loads(text)


# --- the task -----------------------------------------------------------------

def perform(request):
    params = request.input if isinstance(request.input, dict) else {}
    problem = _invalid(params)
    if problem:
        return failed("States.Runtime", f"Invalid parameters for {HTTP_INVOKE}: {problem}")
    method = params["Method"].upper()
    url = params["ApiEndpoint"]
    headers = {str(k): _text(v) for k, v in (params.get("Headers") or {}).items()}
    query = _pairs(params.get("QueryParameters") or {}, "REPEAT")
    body = params.get("RequestBody")
    body_params = []
    auth = None
    timeout = min(MAX_SECONDS, request.timeout_seconds or MAX_SECONDS)

    arn = (params.get("Authentication") or {}).get("ConnectionArn")
    with _client(timeout) as client:
        if arn:
            connection = Connection.objects.filter(arn=arn).first()
            if connection is None or not access.task_may_use(request.owner_id, connection.owner_id):
                return failed("States.Runtime", f"The connection {arn} does not exist (Authentication.ConnectionArn).")
            try:
                auth, extra_headers, extra_query, body_params = _authenticate(client, connection)
            except _AuthFailed as e:
                return failed(e.error, e.cause)
            headers = {**extra_headers, **headers}
            query = extra_query + query

        content = _encode_body(body, body_params, params.get("Transform") or {}, headers)
        try:
            response = _send(client, method, url, headers, query, content, auth)
            if response.status_code == 401 and arn and connection.authorization_type == Connection.OAUTH:
                _forget_token(connection)  # expired early or revoked: one fresh token, one more try
                auth, _, _, _ = _authenticate(client, connection)
                response = _send(client, method, url, headers, query, content, auth)
        except _AuthFailed as e:
            return failed(e.error, e.cause)
        except httpx.TimeoutException:
            return failed("States.Http.Socket", f"The HTTP request to {url} timed out after {timeout:g} seconds.")
        except httpx.TransportError as e:
            return failed("States.Http.Socket", _socket_cause(url, e))
    result = _result(response)
    if not 200 <= response.status_code < 300:
        return failed(f"States.Http.StatusCode.{response.status_code}", json.dumps(result, ensure_ascii=False))
    return succeeded(result)


def _invalid(params) -> str | None:
    if not isinstance(params.get("ApiEndpoint"), str) or not params["ApiEndpoint"].startswith(("https://", "http://")):
        return "ApiEndpoint must be an http(s) URL"
    if not isinstance(params.get("Method"), str) or params["Method"].upper() not in METHODS:
        return f"Method must be one of {', '.join(sorted(METHODS))}"
    for name in ("Headers", "QueryParameters", "Transform", "Authentication"):
        if name in params and params[name] is not None and not isinstance(params[name], dict):
            return f"{name} must be an object"
    transform = params.get("Transform") or {}
    encoding = transform.get("RequestBodyEncoding", "NONE")
    if encoding not in ("NONE", "URL_ENCODED"):
        return "Transform.RequestBodyEncoding must be NONE or URL_ENCODED"
    array_format = (transform.get("RequestEncodingOptions") or {}).get("ArrayFormat", "BRACKETS")
    if array_format not in ARRAY_FORMATS:
        return f"Transform.RequestEncodingOptions.ArrayFormat must be one of {', '.join(sorted(ARRAY_FORMATS))}"
    if encoding == "URL_ENCODED" and "RequestBody" in params and not isinstance(params["RequestBody"], dict):
        return "a URL_ENCODED RequestBody must be an object"
    return None


def _send(client, method, url, headers, query, content, auth):
    return client.request(method, url, headers=headers, params=query or None, content=content, auth=auth)


def _encode_body(body, extra_params, transform, headers) -> bytes | None:
    lowered = {k.lower(): k for k in headers}
    if body is None and not extra_params:
        return None
    if transform.get("RequestBodyEncoding", "NONE") == "URL_ENCODED":
        array_format = (transform.get("RequestEncodingOptions") or {}).get("ArrayFormat", "BRACKETS")
        pairs = _pairs(body or {}, array_format) + extra_params
        if "content-type" not in lowered:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in pairs).encode()
    if extra_params and (body is None or isinstance(body, dict)):
        body = {**dict(extra_params), **(body or {})}
    if isinstance(body, str) and "content-type" in lowered:
        return body.encode()  # the caller chose the media type: send the text as it is
    if "content-type" not in lowered:
        headers["Content-Type"] = "application/json"
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _pairs(value: dict, array_format: str, prefix: str = "") -> list:
    """Flatten an object to (name, text) pairs as AWS's URL encoding does: nested objects as a[b],
    arrays by ArrayFormat (BRACKETS a[]=1, INDICES a[0]=1, REPEAT a=1&a=1, COMMAS a=1,2)."""
    pairs = []
    for key, item in value.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(item, dict):
            pairs += _pairs(item, array_format, name)
        elif isinstance(item, list):
            if array_format == "COMMAS":
                pairs.append((name, ",".join(_text(v) for v in item)))
            else:
                for index, element in enumerate(item):
                    element_name = {"BRACKETS": f"{name}[]", "INDICES": f"{name}[{index}]"}.get(array_format, name)
                    if isinstance(element, dict):
                        pairs += _pairs(element, array_format, element_name)
                    else:
                        pairs.append((element_name, _text(element)))
        else:
            pairs.append((name, _text(item)))
    return pairs


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _result(response: httpx.Response) -> dict:
    headers = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name, []).append(value)
    body = response.text
    if "json" in response.headers.get("content-type", "").lower():
        try:
            body = response.json()
        except ValueError:
            pass
    return {"Headers": headers, "ResponseBody": body, "StatusCode": response.status_code,
            "StatusText": response.reason_phrase}


def _socket_cause(url, error) -> str:
    text = str(error)
    if REFUSED in text:
        return text
    return f"The HTTP request to {url} failed: {text or type(error).__name__}"


# --- authentication -----------------------------------------------------------

class _AuthFailed(Exception):
    def __init__(self, error, cause):
        super().__init__(cause)
        self.error, self.cause = error, cause


_tokens = {}  # (connection pk, parameters digest) -> (access token, expires at)
_tokens_lock = threading.Lock()


def _authenticate(client, connection):
    """(httpx auth, headers, query pairs, body pairs) for a call through `connection`."""
    try:
        params = connection_parameters(connection)
    except ValueError as e:
        raise _AuthFailed("States.Runtime", str(e)) from None
    invocation = params.get("InvocationHttpParameters") or {}
    headers = {p["Key"]: p["Value"] for p in invocation.get("HeaderParameters", [])}
    query = [(p["Key"], p["Value"]) for p in invocation.get("QueryStringParameters", [])]
    body = [(p["Key"], p["Value"]) for p in invocation.get("BodyParameters", [])]
    auth = None
    kind = connection.authorization_type
    if kind == Connection.API_KEY:
        key = params.get("ApiKeyAuthParameters") or {}
        headers[key.get("ApiKeyName", "x-api-key")] = key.get("ApiKeyValue", "")
    elif kind == Connection.BASIC:
        basic = params.get("BasicAuthParameters") or {}
        auth = httpx.BasicAuth(basic.get("Username", ""), basic.get("Password", ""))
    elif kind == Connection.OAUTH:
        headers["Authorization"] = "Bearer " + _oauth_token(client, connection, params.get("OAuthParameters") or {})
    return auth, headers, query, body


def _token_key(connection, oauth: dict):
    return connection.pk, hashlib.sha256(json.dumps(oauth, sort_keys=True).encode()).hexdigest()


def _forget_token(connection):
    with _tokens_lock:
        for key in [k for k in _tokens if k[0] == connection.pk]:
            del _tokens[key]


def _oauth_token(client, connection, oauth: dict) -> str:
    key = _token_key(connection, oauth)
    with _tokens_lock:
        cached = _tokens.get(key)
    if cached is not None and cached[1] > time.time():
        return cached[0]
    endpoint = oauth.get("AuthorizationEndpoint")
    client_params = oauth.get("ClientParameters") or {}
    extra = oauth.get("OAuthHttpParameters") or {}
    form = {"grant_type": "client_credentials"}
    form.update({p["Key"]: p["Value"] for p in extra.get("BodyParameters", [])})
    try:
        response = client.request(
            (oauth.get("HttpMethod") or "POST").upper(), endpoint,
            headers={p["Key"]: p["Value"] for p in extra.get("HeaderParameters", [])},
            params=[(p["Key"], p["Value"]) for p in extra.get("QueryStringParameters", [])] or None,
            data=form, auth=httpx.BasicAuth(client_params.get("ClientID", ""), client_params.get("ClientSecret", "")))
    except httpx.TransportError as e:
        raise _AuthFailed("States.Http.Socket", _socket_cause(endpoint, e)) from None
    try:
        payload = response.json() if response.status_code == 200 else None
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
        raise _AuthFailed("States.Http.StatusCode.401",
                          f"The OAuth authorization endpoint {endpoint} of connection {connection.name} gave no "
                          f"access token (HTTP {response.status_code}).")
    expires_in = payload.get("expires_in")
    lifetime = expires_in if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) else 3600
    with _tokens_lock:
        _tokens[key] = (payload["access_token"], time.time() + max(0, lifetime - 30))
    return payload["access_token"]


# --- the guarded network ------------------------------------------------------

def allows_private() -> bool:
    return bool(getattr(settings, "STATELIGHT_HTTP_ALLOW_PRIVATE", False))


def _low_32_bits(ip: ipaddress.IPv6Address) -> tuple:
    return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)


# IPv6 addresses that carry an IPv4 address: a packet sent to one is delivered to (or translated
# for) the IPv4 address inside, so that address is the one judged. One row per form, most
# specific prefix first: where it sits in the 128 bits.
EMBEDDED_IPV4 = [
    # IPv4-mapped ::ffff:a.b.c.d (RFC 4291 2.5.5.2)
    (ipaddress.IPv6Network("::ffff:0:0/96"), _low_32_bits),
    # IPv4-translated ::ffff:0:a.b.c.d (SIIT, RFC 2765)
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), _low_32_bits),
    # IPv4-compatible ::a.b.c.d (RFC 4291 2.5.5.1, deprecated); :: and ::1 fall in it too, as 0.0.0.x
    (ipaddress.IPv6Network("::/96"), _low_32_bits),
    # NAT64 well-known prefix 64:ff9b::a.b.c.d (RFC 6052)
    (ipaddress.IPv6Network("64:ff9b::/96"), _low_32_bits),
    # 6to4 2002:AABB:CCDD::/48 (RFC 3056)
    (ipaddress.IPv6Network("2002::/16"), lambda ip: (ip.sixtofour,)),
    # Teredo 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC (RFC 4380): the server, and the client's
    # address stored XORed with 0xffffffff (ipaddress undoes it)
    (ipaddress.IPv6Network("2001::/32"), lambda ip: ip.teredo),
]
# NAT64's local-use prefix (RFC 8215): each network chooses its own prefix length inside it, so
# where the IPv4 address sits cannot be known from outside; IANA lists it as not globally reachable.
LOCAL_USE_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public(address: str) -> bool:
    """Whether a connection to `address` (as getaddrinfo gives it) reaches the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_USE_NAT64:
            return False
        for network, embedded in EMBEDDED_IPV4:
            if ip in network:
                return all(_is_public(inner) for inner in embedded(ip))
    return _is_public(ip)


def _is_public(ip) -> bool:
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to public addresses (every address of the host is checked first)."""

    def __init__(self, allow_private: bool):
        super().__init__()
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            raise httpcore.ConnectError(f"cannot resolve {host}: {e.strerror}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not self.allow_private:
            refused = [a for a in addresses if not is_public(a)]
            if refused:
                raise Refused(f"{REFUSED} to {host}: it resolves to {', '.join(refused)}, which is not a public "
                              "address (set STATELIGHT_HTTP_ALLOW_PRIVATE to allow private and loopback addresses)")
        last_error = None
        for info in infos:
            family, _, _, _, address = info
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(address)
            except TimeoutError:
                sock.close()
                raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from None
            except OSError as e:
                sock.close()
                last_error = e
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or []:
                sock.setsockopt(*option)
            return httpcore._backends.sync.SyncStream(sock)
        raise httpcore.ConnectError(f"cannot connect to {host}: {last_error}")


def _client(timeout: float) -> httpx.Client:
    transport = httpx.HTTPTransport()
    # httpx does not let a caller choose the network backend; its pool does
    transport._pool._network_backend = GuardedBackend(allows_private())
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)
