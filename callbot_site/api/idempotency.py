"""`Idempotency-Key` for every POST under /api/v1/, without cooperation from the views.

The middleware resolves the client itself (token or session), wraps the request in one transaction
with the key's row (see callbot_site/idempotency.py for why), and either replays the stored first
response or lets the view run and stores its 2xx response. Error responses are rolled back entirely.
"""

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from rest_framework.authtoken.models import Token

from callbot_site import idempotency

from .exceptions import error_body

API_PREFIX = "/api/v1/"
# The lead export writes to two databases and commits Berinia batch by batch: wrapping it in one
# transaction of ours would roll back its ledger while Berinia keeps the leads. It is idempotent by
# itself (a re-run matches and converges), so the key is not needed there.
EXEMPT_PREFIXES = ("/api/v1/berinia/",)
HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _client_of(request):
    """The account the request authenticates as, or None (then the view answers 401 itself)."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "token":
        credentials = credentials.strip()
        if not credentials or len(credentials) > 40 or not credentials.isalnum():
            return None
        token = Token.objects.select_related("user").filter(key=credentials).first()
        return token.user if token and token.user.is_active else None
    user = getattr(request, "user", None)
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
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        if not idempotency.is_valid_key(key):
            message = f"1 to {idempotency.MAX_KEY_LENGTH} printable ASCII characters (a UUID is a good key)."
            return JsonResponse(
                error_body("validation_error", f"Invalid {HEADER} header.", {HEADER: [message]}), status=400
            )
        client = _client_of(request)
        if client is None:
            return self.get_response(request)
        fingerprint = idempotency.request_fingerprint(method=request.method, path=request.path, body=request.body)
        with transaction.atomic():
            try:
                record = idempotency.claim_key(
                    client=client, key=key, fingerprint=fingerprint, method=request.method, path=request.path
                )
            except idempotency.KeyReused as exc:
                return JsonResponse(error_body("idempotency_key_reused", exc.message, exc.errors), status=422)
            if record.response_status is not None:
                return _replay(record)
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
