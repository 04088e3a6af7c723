"""Whether the app runs on the embedded development cluster (see scripts/localdb.py)."""

import os


def uses_embedded_database(settings_dict: dict) -> bool:
    """True when a connection's settings point at the cluster that scripts/localdb.py started.

    scripts/localdb.py writes CALLBOT_EMBEDDED_DATABASE_URL beside DATABASE_URL; an explicitly
    configured DATABASE_URL pointing elsewhere does not match it.
    """
    import environ

    embedded_url = os.environ.get("CALLBOT_EMBEDDED_DATABASE_URL")
    if not embedded_url:
        return False
    embedded = environ.Env.db_url_config(embedded_url)
    return all(settings_dict.get(key) == embedded.get(key) for key in ("HOST", "PORT"))
