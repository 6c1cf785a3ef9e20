"""Websocket routes, mounted by statelight/asgi.py behind auth and origin checks."""

websocket_urlpatterns = []
