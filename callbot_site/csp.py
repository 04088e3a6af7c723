"""Content-Security-Policy: django-csp's middleware, plus the few views that need a looser policy.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings. A view that cannot live with it is named
here by its URL name (the URL files stay as they are), with only the directives it needs replaced:

- Redoc (`api-redoc`) builds its styles at run time (styled-components writes `<style>` elements) and
  runs its search in a `blob:` worker. Its page holds no customer data; scripts stay same-origin only.
- The browsable API of DRF (any API view rendered as HTML) puts a few `style` attributes in its
  templates; they may apply (`style-src-attr`), `<style>` elements still may not.

Swagger UI needs no exception: its start-up script is inline in drf-spectacular's template, so
callbot_site/templates/drf_spectacular/swagger_ui.html gives it the request's nonce.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

VIEW_POLICIES = {
    "api-redoc": {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]},
}
BROWSABLE_API_POLICY = {"style-src-attr": [UNSAFE_INLINE]}


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        replace = self._replacements(request, response)
        if replace and not report_only:
            parts.replace = {**replace, **(parts.replace or {})}  # a view's own @csp_replace wins
        return parts

    @staticmethod
    def _replacements(request, response) -> dict:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in VIEW_POLICIES:
            return VIEW_POLICIES[match.url_name]
        renderer = getattr(response, "accepted_renderer", None)
        if renderer is not None and getattr(renderer, "format", None) == "api":
            return BROWSABLE_API_POLICY
        return {}
