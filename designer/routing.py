"""Websocket routes, mounted by statelight/asgi.py behind auth and origin checks."""
from django.urls import path

from designer.approvals.consumers import ApprovalsConsumer
from designer.viewer.consumers import ExecutionConsumer, ExecutionsConsumer

websocket_urlpatterns = [
    path("ws/executions/<int:pk>/", ExecutionConsumer.as_asgi()),
    path("ws/machines/<int:pk>/executions/", ExecutionsConsumer.as_asgi()),
    path("ws/approvals/", ApprovalsConsumer.as_asgi()),
]
