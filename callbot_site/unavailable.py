"""A lost or refused database connection outside the API: a styled 503 page with Retry-After, not a 500.

The API's views already answer 503 `database_unavailable` (core/api/exceptions.py). This middleware covers
the rest — admin, console, and API requests whose OperationalError escapes DRF (the Idempotency-Key
middleware authenticates and opens its transaction before the view) — with one log line, no traceback.

A view's (or its template's) OperationalError reaches `process_exception`. Django turns an exception in a
middleware into a 500 right where it is raised, logging a traceback, before any middleware above could
catch it; but it first sends `got_request_exception`, and a receiver's exception propagates. So, for a
request passing through this middleware, the receiver re-raises an OperationalError, which travels up to
`__call__` here instead of becoming a 500. Errors in the middlewares above this one stay 500s.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from core.api.exceptions import DATABASE_RETRY_AFTER_SECONDS, error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
TEMPLATE = "503.html"
_GUARDED = "_database_unavailable_guarded"


def unavailable_response(request) -> HttpResponse:
    """The API's error shape under /api/, the styled page elsewhere; both 503 with Retry-After."""
    if request.path.startswith(API_PREFIX):
        body = error_body("database_unavailable", "The database is temporarily unavailable; retry shortly.")
        response = JsonResponse(body, status=503)
    else:
        context = {"retry_after": DATABASE_RETRY_AFTER_SECONDS}
        response = HttpResponse(render_to_string(TEMPLATE, context, request=request), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


@receiver(got_request_exception, dispatch_uid="callbot-database-unavailable")
def _pass_database_errors_up(sender, request=None, **kwargs):
    """Let an OperationalError of a guarded request propagate past Django's 500 conversion, to the middleware."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError) and getattr(request, _GUARDED, False):
        raise error


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, _GUARDED, True)
        try:
            return self.get_response(request)
        except OperationalError as error:
            return self._answer(request, error)
        finally:
            setattr(request, _GUARDED, False)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            return self._answer(request, exception)
        return None

    def _answer(self, request, error: OperationalError) -> HttpResponse:
        logger.warning("%s %s hit a database error: %s", request.method, request.path, error)
        response = unavailable_response(request)
        response._has_been_logged = True  # Django's own flag: this line is the request's log, not a second one
        return response
