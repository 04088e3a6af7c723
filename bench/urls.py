"""URLconf of the bench server: the product's URLs plus the bare baseline endpoint."""

from django.urls import path

from bench.baseline_api import BareInteractionCreate
from callbot_site.urls import urlpatterns as product_urlpatterns

# Under /api/v1/ like the product's endpoints, so the same middleware path applies to both.
BASELINE_PATH = "/api/v1/_bench/bare-interactions/"

urlpatterns = [
    path(BASELINE_PATH.strip("/") + "/", BareInteractionCreate.as_view(), name="bench-bare-create"),
    *product_urlpatterns,
]
