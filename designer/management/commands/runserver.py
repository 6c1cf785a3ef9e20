"""`manage.py runserver`: Daphne's ASGI development server, with the Statelight
runtime running inside the serving process (the embedded default).

inner_run() runs only in the process that serves requests: the child of the
autoreloader (never its parent, which only watches files) or the one process
with --noreload. migrate, other commands and tests never get here, so the
runtime never starts in them. STATELIGHT_RUNTIME_EMBEDDED=0 turns it off when
`manage.py statelight_worker` processes do the work.
"""
import daphne.http_protocol
import daphne.server
from daphne.management.commands.runserver import Command as DaphneRunserver
from django.conf import settings

from designer.runtime import start_embedded, stop_embedded


class _Request(daphne.http_protocol.WebRequest):
    """Daphne's request without Twisted's form parsing: an ASGI application reads the raw body,
    never Twisted's `args`, and the parse of the Content-Type header alone (through the email
    package) cost a tenth of the server's time under a stream of API calls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)


# HTTPFactory.buildProtocol() takes the request class from its module
daphne.http_protocol.WebRequest = _Request


class Command(DaphneRunserver):
    help = DaphneRunserver.help + " Runs the Statelight runtime in the same process."

    def inner_run(self, *args, **options):
        runtime = None
        if getattr(settings, "STATELIGHT_RUNTIME_EMBEDDED", True):
            # publish from the server's own event loop: the in-memory channel layer is read there
            runtime = start_embedded(loop=daphne.server.twisted_loop)
            self.stdout.write(f"Statelight runtime started in this process ({runtime.worker_id}).\n")
        try:
            return super().inner_run(*args, **options)
        finally:
            if runtime is not None:
                stop_embedded()
