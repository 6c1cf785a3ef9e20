"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statelight.settings")

# Set up Django (apps, settings) before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from designer.api.asgi import with_aws_api  # noqa: E402
from designer.routing import websocket_urlpatterns  # noqa: E402
from designer.socket_origin import SameOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        # POST / (the AWS API) skips Django's middleware: see designer/api/asgi.py
        "http": with_aws_api(django_asgi_app),
        # only from our own pages (scheme, host and port), then only for a logged-in user
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
