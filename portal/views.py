"""Error pages that must work when the rest of the portal does not."""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

# How long a client (or a proxy, or a browser reloading) should wait before trying again.
RETRY_AFTER_SECONDS = 30


def too_many_requests(request, exception=None):
    """django-ratelimit's RATELIMIT_VIEW: a calm page in the person's language, not an error."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response


def _database_unavailable(error: BaseException | None) -> bool:
    # OperationalError: cannot connect, connection lost; InterfaceError: connection already closed.
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )


def server_error(request, *args, **kwargs):
    """handler500: a database that is down or restarting is a 503 with Retry-After, not a 500.

    Rendered without the request context: the navigation needs the session and the user,
    which live in the database that just failed.
    """
    error = sys.exc_info()[1]
    if _database_unavailable(error):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(render_to_string("500.html"))
