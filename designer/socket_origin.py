"""Websockets open only from Statelight's own pages: the same origin check a browser makes.

A browser sends the page's origin (scheme, host, port) with a websocket's opening request and
lets any page open one, with the visitor's cookies. So a socket is accepted only when its Origin
is exactly the request's own origin: another site on the same host name but another port
(http://localhost:9999) is another origin, like any other site.

The request's own origin is read as Django reads an HTTP request's (HttpRequest.get_host(),
.scheme): its host must be in ALLOWED_HOSTS (a DNS-rebinding page's host is not), and behind a
trusted proxy (STATELIGHT_TRUSTED_PROXY) X-Forwarded-Host and X-Forwarded-Proto count.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

DEFAULT_PORTS = {"http": 80, "https": 443}


class Handshake(HttpRequest):
    """A websocket's opening request, seen as the HTTP request it is."""

    def __init__(self, scope):
        super().__init__()
        self.secure = scope.get("scheme") == "wss"
        server_name, server_port = scope.get("server") or ("unknown", "0")
        self.META = {"SERVER_NAME": server_name, "SERVER_PORT": str(server_port)}
        for name, value in scope.get("headers", []):
            key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
            value = value.decode("latin-1")
            # a repeated header is joined, as Django's ASGIRequest does: two Hosts are no valid host
            self.META[key] = f"{self.META[key]},{value}" if key in self.META else value

    def _get_scheme(self):
        return "https" if self.secure else "http"

    def own_origin(self) -> tuple:
        return _origin(f"{self.scheme}://{self.get_host()}")


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme)


def is_same_origin(scope) -> bool:
    request = Handshake(scope)
    origin = request.META.get("HTTP_ORIGIN")
    if not origin:
        return False
    try:
        return _origin(origin) == request.own_origin()
    except (DisallowedHost, ValueError):  # a host not allowed, a port that is no number
        return False


class SameOriginValidator:
    """ASGI middleware: refuses (before accept, so the handshake fails with 403) a websocket
    whose Origin is not the request's own."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if is_same_origin(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
