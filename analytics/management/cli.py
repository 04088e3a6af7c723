"""Shared bits of the analytics commands: argument types and domain errors as clean command errors."""

import argparse
import contextlib
import datetime
import getpass
import os

from django.core.management.base import CommandError

from callbot_site.errors import DomainError


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; use YYYY-MM-DD.") from exc


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number.") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not allowed; give 1 or more.")
    return number


def operator_name() -> str:
    """Who runs the command: $SUDO_USER behind sudo, else the login name."""
    return os.environ.get("SUDO_USER") or getpass.getuser()


@contextlib.contextmanager
def domain_errors_as_command_errors():
    """A refused request ends the command with its message (exit status 1), never a traceback."""
    try:
        yield
    except DomainError as exc:
        raise CommandError(exc.message) from exc
