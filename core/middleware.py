"""Refuse NUL characters in URLs and form bodies before any view or query sees them.

PostgreSQL's text type cannot hold NUL: psycopg refuses such a parameter outright, so a `%00` in an admin
filter, an object URL or a console form would otherwise end as a 500. JSON bodies are the serializers'
business (DRF's CharField and JSONObjectField refuse NUL with a field error).
"""

from django.http import HttpResponseBadRequest, JsonResponse

from core.api.exceptions import error_body

NUL = "\x00"
API_PREFIX = "/api/"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX)
        if NUL in request.path or _has_nul(request.GET) or (not api and self._form_has_nul(request)):
            if api:
                body = error_body("bad_request", "The request contains a NUL (\\u0000) character.")
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest("<h1>Bad Request (400)</h1><p>The request contains a NUL character.</p>")
        return self.get_response(request)

    @staticmethod
    def _form_has_nul(request) -> bool:
        # The console's forms are url-encoded. Not the API's bodies (DRF answers forms there with a 415, and
        # reading them here would spoil that), nor multipart ones (a bad boundary would raise here).
        urlencoded = request.content_type == "application/x-www-form-urlencoded"
        return request.method == "POST" and urlencoded and _has_nul(request.POST)
