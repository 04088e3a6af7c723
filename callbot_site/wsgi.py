"""WSGI entry point for gunicorn (and runserver)."""

import os

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

from core.db import set_statement_timeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callbot_site.settings.production")

application = get_wsgi_application()
# Web requests only: a runaway query ends with a 503 instead of holding a worker; commands import no wsgi.
connection_created.connect(set_statement_timeout)
