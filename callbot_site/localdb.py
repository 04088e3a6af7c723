"""Whether the app runs on the embedded development cluster (see scripts/localdb.py)."""

from django.conf import settings


def uses_embedded_database(alias: str = "default") -> bool:
    host = str(settings.DATABASES[alias].get("HOST") or "")
    return host.startswith(str(settings.BASE_DIR / ".localdb"))
