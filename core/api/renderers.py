"""The browsable API (DRF's HTML pages for people exploring the API in a browser), without generated forms.

DRF derives its HTML forms and filter form from a view's `serializer_class` and `queryset`. Our views
have neither: each method validates with its own input serializer (core.api.views.ApiView), so DRF's
form builders fail (a 500 on every list page). The pages show the response; Swagger UI at
/api/v1/docs/ documents the request bodies.
"""

from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableApiRenderer(BrowsableAPIRenderer):
    def get_filter_form(self, data, view, request):
        return None

    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None
