"""Load-balancer health check: 200 when the database answers, 503 otherwise.

Served by the /healthz URL, and in production by a middleware placed first, so a probe from a
load balancer (plain HTTP, an IP address as Host) is answered before ALLOWED_HOSTS validation
and the https redirect — without making those any looser for real requests.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

HEALTH_PATH = "/healthz"


def database_status() -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def healthz(request):
    return database_status()


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return database_status()
        return self.get_response(request)
