"""Websocket routes, mounted by statelight/asgi.py behind auth and origin checks."""
from django.urls import path

from designer import consumers
from designer.approvals.consumers import ApprovalsConsumer

websocket_urlpatterns = [
    path("ws/executions/<int:pk>/", consumers.ExecutionConsumer.as_asgi()),
    path("ws/machines/<int:pk>/executions/", consumers.ExecutionsConsumer.as_asgi()),
    path("ws/approvals/", ApprovalsConsumer.as_asgi()),
]
