"""`Idempotency-Key` for every POST to an API view, without cooperation from the views.

The middleware resolves the client through DRF's configured authentication classes, wraps the request
in one transaction with the key's row (see idempotency/services.py for why), and either replays the
stored first response or lets the view run and stores its 2xx response. Error responses are rolled back
entirely. A replay first passes the view's own checks as they stand now (authentication, permissions,
throttles): a key never outlives the right to make the request. A view opts out with
`idempotency_exempt = True` (the lead export commits per Berinia batch).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, ResolverMatch, resolve
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api.exceptions import error_body, too_large
from idempotency import services as idempotency

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _keyed_api_view(request) -> ResolverMatch | None:
    """The URL's match when it leads to a DRF view that has not opted out of idempotency keys."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "cls", None)
    keyed = isinstance(view_class, type) and issubclass(view_class, APIView)
    return match if keyed and not getattr(view_class, "idempotency_exempt", False) else None


def _refusal(request, match: ResolverMatch) -> HttpResponse | None:
    """The view's answer to this request before its handler runs (401, 403, 429), or None when it passes.

    The same steps as APIView.dispatch up to the handler, so a replay is checked and counted (throttles)
    exactly like a first request.
    """
    view = match.func.cls(**match.func.initkwargs)
    view.args, view.kwargs = match.args, match.kwargs
    drf_request = view.initialize_request(request, *match.args, **match.kwargs)
    view.request, view.headers = drf_request, view.default_response_headers
    try:
        view.initial(drf_request, *match.args, **match.kwargs)
    except Exception as exc:  # DRF turns it into its error response, as the view itself would
        response = view.finalize_response(drf_request, view.handle_exception(exc), *match.args, **match.kwargs)
        return response.render()
    return None


def _client_of(request):
    """The account the request authenticates as, or None (then the view answers 401/403 itself)."""
    authenticators = [authentication() for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    try:
        user = Request(request, authenticators=authenticators).user
    except exceptions.APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def _replay(record) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.response_status, content_type=record.response_content_type
    )
    response[REPLAY_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        match = _keyed_api_view(request) if key is not None and request.method == "POST" else None
        if match is None:
            return self.get_response(request)
        if not idempotency.is_valid_key(key):
            message = f"1 to {idempotency.MAX_KEY_LENGTH} printable ASCII characters (a UUID is a good key)."
            return JsonResponse(
                error_body("validation_error", f"Invalid {HEADER} header.", {HEADER: [message]}), status=400
            )
        client = _client_of(request)
        if client is None:
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: the same 413 the API's parser gives
            exc = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            return JsonResponse(error_body(exc.default_code, exc.detail), status=exc.status_code)
        fingerprint = idempotency.request_fingerprint(method=request.method, path=request.path, body=body)
        with transaction.atomic():
            try:
                record = idempotency.claim_key(
                    client=client, key=key, fingerprint=fingerprint, method=request.method, path=request.path
                )
            except idempotency.KeyReused as exc:
                return JsonResponse(error_body("idempotency_key_reused", exc.message, exc.errors), status=422)
            if record.response_status is not None:
                return _refusal(request, match) or _replay(record)
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and not response.streaming:
                idempotency.store_response(
                    record=record,
                    status=response.status_code,
                    content_type=response.get("Content-Type", ""),
                    body=response.content,
                )
            else:
                transaction.set_rollback(True)
        return response
