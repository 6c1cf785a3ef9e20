"""Each websocket opens only from Statelight's own pages: the Origin must be the request's own
scheme, host and port (issue 9, 3: http://localhost:9999 was let in because only the host name
was compared). Through the whole ASGI application, for each socket."""
import pytest

from designer.socket_origin import is_same_origin
from tests.designer.test_consumers import connect
from tests.helpers import make_machine

pytestmark = pytest.mark.django_db(transaction=True)

PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def application():
    from statelight.asgi import application

    return application


@pytest.fixture
def socket_paths(alice):
    """The three sockets, each at a page alice may open."""
    from designer import runtime as rt

    machine = make_machine(alice, "Origins", PASS)
    execution = rt.start_execution(machine, owner=alice)
    return {"execution": f"/ws/executions/{execution.pk}/",
            "runs list": f"/ws/machines/{machine.pk}/executions/",
            "approval inbox": "/ws/approvals/"}


SOCKETS = ["execution", "runs list", "approval inbox"]


async def opens(application, path, user, **request) -> bool:
    communicator, connected = await connect(application, path, user, **request)
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize("socket", SOCKETS)
async def test_it_opens_from_the_servers_own_origin(application, socket_paths, alice, socket):
    path = socket_paths[socket]
    assert await opens(application, path, alice, origin="http://testserver", host="testserver")
    assert await opens(application, path, alice, origin="http://localhost:8000", host="localhost:8000")
    assert await opens(application, path, alice, origin="http://[::1]:8000", host="[::1]:8000")


@pytest.mark.parametrize("socket", SOCKETS)
@pytest.mark.parametrize("origin", [
    "http://localhost:9999",  # the same host name, another port: another site (the reported attack)
    "http://localhost",  # port 80 is not 8000
    "https://localhost:8000",  # another scheme
    "http://evil.example:8000",
    "http://localhost.evil.example:8000",
    "null",  # a sandboxed frame, a file: page
    "http://localhost:notaport",
    None,
])
async def test_it_refuses_any_other_origin(application, socket_paths, alice, socket, origin):
    path = socket_paths[socket]
    assert not await opens(application, path, alice, origin=origin, host="localhost:8000")


@pytest.mark.parametrize("socket", SOCKETS)
async def test_it_refuses_a_host_not_in_allowed_hosts_even_from_its_own_origin(application, socket_paths, alice,
                                                                                socket):
    # a DNS-rebinding page: evil.example now resolves to this server, and its origin matches its Host
    path = socket_paths[socket]
    assert not await opens(application, path, alice, origin="http://evil.example:8000", host="evil.example:8000")


def scope(*headers, scheme="ws"):
    return {"type": "websocket", "scheme": scheme, "server": ("127.0.0.1", 8000),
            "headers": [(name.encode(), value.encode()) for name, value in headers]}


def test_a_secure_socket_belongs_to_the_https_origin():
    assert is_same_origin(scope(("host", "localhost"), ("origin", "https://localhost"), scheme="wss"))
    assert is_same_origin(scope(("host", "localhost:8443"), ("origin", "https://localhost:8443"), scheme="wss"))
    assert not is_same_origin(scope(("host", "localhost"), ("origin", "http://localhost"), scheme="wss"))


def test_a_repeated_host_or_origin_header_is_refused():
    assert not is_same_origin(scope(("host", "localhost"), ("host", "localhost"), ("origin", "http://localhost")))
    assert not is_same_origin(scope(("host", "localhost"), ("origin", "http://localhost"),
                                    ("origin", "http://localhost")))


BEHIND_PROXY = (("host", "127.0.0.1:8000"), ("x-forwarded-host", "flows.example.com"),
                ("x-forwarded-proto", "https"))


def test_behind_a_trusted_proxy_the_forwarded_host_and_scheme_are_the_origin(settings):
    settings.ALLOWED_HOSTS = ["flows.example.com", "127.0.0.1"]
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert is_same_origin(scope(*BEHIND_PROXY, ("origin", "https://flows.example.com")))
    assert not is_same_origin(scope(*BEHIND_PROXY, ("origin", "http://flows.example.com")))
    assert not is_same_origin(scope(*BEHIND_PROXY, ("origin", "https://flows.example.com:8443")))
    assert not is_same_origin(scope(*BEHIND_PROXY, ("origin", "http://127.0.0.1:8000")))


def test_without_a_trusted_proxy_forwarded_headers_count_for_nothing(settings):
    settings.ALLOWED_HOSTS = ["flows.example.com", "127.0.0.1"]
    assert not is_same_origin(scope(*BEHIND_PROXY, ("origin", "https://flows.example.com")))
    assert is_same_origin(scope(*BEHIND_PROXY, ("origin", "http://127.0.0.1:8000")))
