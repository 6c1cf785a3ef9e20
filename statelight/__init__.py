"""Statelight's Django project configuration: settings, URLs, ASGI entry point."""
