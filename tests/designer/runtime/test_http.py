"""arn:aws:states:::http:invoke against a real local HTTP server."""
import base64
import ipaddress
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from designer import runtime as rt
from designer.resources import http

pytestmark = pytest.mark.django_db(transaction=True)


class Handler(BaseHTTPRequestHandler):
    token_requests = []

    def log_message(self, *args):
        pass

    def _reply(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if url.path == "/token":
            Handler.token_requests.append({"auth": self.headers.get("Authorization"), "body": body})
            return self._reply(200, {"access_token": f"tok-{len(Handler.token_requests)}", "expires_in": 3600})
        if url.path.startswith("/status/"):
            return self._reply(int(url.path.rsplit("/", 1)[1]), {"message": "nope"})
        if url.path == "/slow":
            time.sleep(1.5)
        if url.path == "/text":
            return self._reply(200, "hello", "text/plain")
        self._reply(200, {"method": self.command, "path": url.path, "query": parse_qsl(url.query),
                          "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def allow_private(settings):
    settings.STATELIGHT_HTTP_ALLOW_PRIVATE = True


_names = itertools.count()


def call(machine, alice, worker, parameters, **state):
    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Parameters": parameters, "End": True, **state}}}
    execution = rt.start_execution(machine(f"Http{next(_names)}", definition), owner=alice)
    worker.drain()
    execution.refresh_from_db()
    return execution


def output(execution):
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return json.loads(execution.output)


def test_it_calls_the_api_and_answers_in_aws_shape(machine, alice, worker, server, allow_private):
    result = output(call(machine, alice, worker, {
        "ApiEndpoint": f"{server}/orders", "Method": "POST", "Headers": {"X-Trace": "t1"},
        "QueryParameters": {"page": "2"}, "RequestBody": {"pizza": "margherita", "count": 2}}))
    assert result["StatusCode"] == 200 and result["StatusText"] == "OK"
    assert result["Headers"]["content-type"] == ["application/json"]
    body = result["ResponseBody"]
    assert body["method"] == "POST" and body["path"] == "/orders" and body["query"] == [["page", "2"]]
    assert body["headers"]["x-trace"] == "t1" and body["headers"]["content-type"] == "application/json"
    assert json.loads(body["body"]) == {"pizza": "margherita", "count": 2}


def test_a_text_response_stays_text(machine, alice, worker, server, allow_private):
    result = output(call(machine, alice, worker, {"ApiEndpoint": f"{server}/text", "Method": "GET"}))
    assert result["ResponseBody"] == "hello"


def test_url_encoded_bodies_follow_the_array_format(machine, alice, worker, server, allow_private):
    result = output(call(machine, alice, worker, {
        "ApiEndpoint": f"{server}/form", "Method": "POST",
        "RequestBody": {"name": "Ann", "tags": ["a", "b"], "address": {"city": "Oslo"}},
        "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "INDICES"}}}))
    body = result["ResponseBody"]
    assert body["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(body["body"]) == [("name", "Ann"), ("tags[0]", "a"), ("tags[1]", "b"), ("address[city]", "Oslo")]


@pytest.mark.parametrize("array_format, encoded", [
    ("BRACKETS", [("t[]", "1"), ("t[]", "2")]), ("REPEAT", [("t", "1"), ("t", "2")]), ("COMMAS", [("t", "1,2")])])
def test_each_array_format(array_format, encoded):
    assert http._pairs({"t": [1, 2]}, array_format) == encoded


def test_a_status_outside_2xx_fails_with_its_aws_error_name(machine, alice, worker, server, allow_private):
    execution = call(machine, alice, worker, {"ApiEndpoint": f"{server}/status/404", "Method": "GET"})
    assert execution.status == "FAILED" and execution.error == "States.Http.StatusCode.404"
    assert json.loads(execution.cause)["ResponseBody"] == {"message": "nope"}


def test_a_call_slower_than_the_task_timeout_fails_as_a_socket_error(machine, alice, worker, server, allow_private):
    execution = call(machine, alice, worker, {"ApiEndpoint": f"{server}/slow", "Method": "GET"}, TimeoutSeconds=1)
    assert execution.error in ("States.Http.Socket", "States.Timeout")


def test_an_unreachable_host_fails_as_a_socket_error(machine, alice, worker, allow_private):
    execution = call(machine, alice, worker, {"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET"})
    assert execution.error == "States.Http.Socket"


def test_private_and_loopback_addresses_are_refused_by_default(machine, alice, worker, server):
    for endpoint in (f"{server}/echo", server.replace("127.0.0.1", "localhost") + "/echo"):
        execution = call(machine, alice, worker, {"ApiEndpoint": endpoint, "Method": "GET"})
        assert execution.error == "States.Http.Socket"
        assert "refused" in execution.cause and "STATELIGHT_HTTP_ALLOW_PRIVATE" in execution.cause


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False),
    ("::", False), ("fe80::1%eth0", False), ("fd00::1", False), ("ff02::1", False), ("8.8.8.8", True),
    ("2606:4700:4700::1111", True)])
def test_what_counts_as_a_public_address(address, public):
    assert http.is_public(address) is public


# Every IPv6 form that carries an IPv4 address, each with a loopback, a private, a metadata-service
# and a public IPv4 address inside: judged by the address inside.
EMBEDDING_FORMS = {
    "IPv4-mapped (RFC 4291 2.5.5.2)": lambda v4: f"::ffff:{v4}",
    "IPv4-translated, SIIT (RFC 2765)": lambda v4: f"::ffff:0:{v4}",
    "IPv4-compatible (RFC 4291 2.5.5.1)": lambda v4: f"::{v4}",
    "NAT64 well-known prefix (RFC 6052)": lambda v4: f"64:ff9b::{v4}",
    "6to4 (RFC 3056)": lambda v4: "2002:{:x}:{:x}::1".format(*divmod(int(ipaddress.IPv4Address(v4)), 1 << 16)),
    "Teredo client, obfuscated (RFC 4380)": lambda v4: "2001:0:4136:e378:8000:63bf:{:x}:{:x}".format(
        *divmod(int(ipaddress.IPv4Address(v4)) ^ 0xFFFFFFFF, 1 << 16)),
}
INSIDE = {"127.0.0.1": False, "10.0.0.7": False, "169.254.169.254": False, "8.8.8.8": True}


@pytest.mark.parametrize("form", EMBEDDING_FORMS)
@pytest.mark.parametrize("inside", INSIDE)
def test_an_ipv6_address_carrying_an_ipv4_one_is_judged_by_the_ipv4_address(form, inside):
    address = str(ipaddress.IPv6Address(EMBEDDING_FORMS[form](inside)))
    assert http.is_public(address) is INSIDE[inside], address


@pytest.mark.parametrize("address", [
    "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1",  # the three forms the guard let through (issue 9, 4)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo with client 127.0.0.1
    "64:ff9b:1::808:808", "64:ff9b:1:7f00:1::",  # NAT64 local-use (RFC 8215): never public, whatever is inside
])
def test_the_forms_that_reach_loopback_or_a_local_translator_are_refused(address):
    assert not http.is_public(address)


def test_a_teredo_address_needs_a_public_server_too():
    # server 10.0.0.1 (0a00:0001), client 8.8.8.8 obfuscated (f7f7:f7f7)
    assert not http.is_public("2001:0:a00:1:8000:63bf:f7f7:f7f7")
    assert http.is_public("2001:0:4136:e378:8000:63bf:f7f7:f7f7")


@pytest.mark.parametrize("host", [
    "2130706433", "017700000001", "0x7f000001", "0x7f.1", "127.1", "0",  # IPv4 spelled as inet_aton reads it
    "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:0:7f00:1", "localhost"])
def test_the_guard_judges_the_address_a_host_resolves_to_before_connecting(host):
    with pytest.raises(http.Refused, match="not a public address"):
        http.GuardedBackend(allow_private=False).connect_tcp(host, 80, timeout=1)


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "[::127.0.0.1]", "[64:ff9b::7f00:1]",
                                  "[2002:7f00:1::1]"])
def test_every_spelling_of_loopback_is_refused_in_a_task(machine, alice, worker, server, host):
    port = urlsplit(server).port
    execution = call(machine, alice, worker, {"ApiEndpoint": f"http://{host}:{port}/echo", "Method": "GET"})
    assert execution.error == "States.Http.Socket"
    assert "is not a public address" in execution.cause


def test_a_decimal_spelling_of_loopback_does_reach_the_server_when_private_addresses_are_allowed(
        machine, alice, worker, server, allow_private):
    # the spelling is a real way in, not a malformed URL: what the refusal above stops
    port = urlsplit(server).port
    execution = call(machine, alice, worker, {"ApiEndpoint": f"http://2130706433:{port}/echo", "Method": "GET"})
    assert output(execution)["StatusCode"] == 200


def test_invalid_parameters_fail_the_task(machine, alice, worker):
    execution = call(machine, alice, worker, {"ApiEndpoint": "ftp://x", "Method": "GET"})
    assert execution.error == "States.Runtime" and "ApiEndpoint" in execution.cause


# --- connections -------------------------------------------------------------------

def test_an_api_key_connection_adds_its_header(machine, alice, worker, server, allow_private):
    connection = http.save_connection(alice, "Shop", "API_KEY", {
        "ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": "s3cret"},
        "InvocationHttpParameters": {"QueryStringParameters": [{"Key": "tenant", "Value": "t9"}]}})
    assert "s3cret" not in connection.encrypted_parameters  # encrypted at rest
    result = output(call(machine, alice, worker, {"ApiEndpoint": f"{server}/echo", "Method": "GET",
                                                  "Authentication": {"ConnectionArn": connection.arn}}))
    assert result["ResponseBody"]["headers"]["x-api-key"] == "s3cret"
    assert result["ResponseBody"]["query"] == [["tenant", "t9"]]


def test_a_basic_connection_authenticates(machine, alice, worker, server, allow_private):
    connection = http.save_connection(alice, "Basic", "BASIC", {"BasicAuthParameters": {"Username": "u", "Password": "p"}})
    result = output(call(machine, alice, worker, {"ApiEndpoint": f"{server}/echo", "Method": "GET",
                                                  "Authentication": {"ConnectionArn": connection.arn}}))
    assert result["ResponseBody"]["headers"]["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_an_oauth_connection_fetches_a_token_once_and_reuses_it(machine, alice, worker, server, allow_private):
    Handler.token_requests.clear()
    connection = http.save_connection(alice, "OAuth", "OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": {
        "AuthorizationEndpoint": f"{server}/token", "HttpMethod": "POST",
        "ClientParameters": {"ClientID": "id", "ClientSecret": "secret"},
        "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "orders"}]}}})
    for _ in range(2):
        result = output(call(machine, alice, worker, {"ApiEndpoint": f"{server}/echo", "Method": "GET",
                                                      "Authentication": {"ConnectionArn": connection.arn}}))
        assert result["ResponseBody"]["headers"]["authorization"] == "Bearer tok-1"
    [token_request] = Handler.token_requests
    assert token_request["auth"] == "Basic " + base64.b64encode(b"id:secret").decode()
    assert dict(parse_qsl(token_request["body"])) == {"grant_type": "client_credentials", "scope": "orders"}


def test_someone_elses_connection_is_not_used(machine, alice, bob, worker, server, allow_private):
    connection = http.save_connection(bob, "Theirs", "API_KEY", {"ApiKeyAuthParameters": {
        "ApiKeyName": "X-Api-Key", "ApiKeyValue": "not-yours"}})
    execution = call(machine, alice, worker, {"ApiEndpoint": f"{server}/echo", "Method": "GET",
                                              "Authentication": {"ConnectionArn": connection.arn}})
    assert execution.status == "FAILED" and "does not exist" in execution.cause
