"""Whether the app runs on the embedded development cluster (see scripts/localdb.py)."""

from django.conf import settings


def uses_embedded_database(settings_dict: dict) -> bool:
    """True when a connection's settings point at the socket of the cluster inside the checkout."""
    host = str(settings_dict.get("HOST") or "")
    return host.startswith(str(settings.BASE_DIR / ".localdb"))
