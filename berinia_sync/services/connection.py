"""The `berinia` connection, with connection failures turned into BeriniaUnavailable (credentials scrubbed)."""

from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connections

from core.routers import BERINIA_ALIAS

from .errors import BeriniaUnavailable, scrub


@contextmanager
def berinia_errors():
    """Turn an unreachable server or a broken connection into BeriniaUnavailable with a clean one-line message."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise BeriniaUnavailable(f"Berinia database unreachable: {scrub(error)}") from None


@contextmanager
def berinia_cursor():
    with berinia_errors(), connections[BERINIA_ALIAS].cursor() as cursor:
        yield cursor
