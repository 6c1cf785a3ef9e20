"""arn:aws:states:::http:invoke against a real local HTTP server."""
import base64
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
    ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("8.8.8.8", True),
    ("2606:4700:4700::1111", True)])
def test_what_counts_as_a_public_address(address, public):
    assert http.is_public(address) is public


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
