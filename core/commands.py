"""Shared bits of the analytics commands: argument types and domain errors as clean command errors."""

import argparse
import contextlib
import datetime
import getpass
import os

from django.core.management.base import CommandError

from core.errors import DomainError
from core.validation import date_out_of_range_message

# Days to keep, batch sizes: a century of days at most keeps date arithmetic far from its limits.
MAX_COUNT = 36_500


def iso_date(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; use YYYY-MM-DD.") from exc
    message = date_out_of_range_message(day)
    if message:
        raise argparse.ArgumentTypeError(message)
    return day


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number.") from exc
    if not 1 <= number <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{number} is not allowed; give 1 to {MAX_COUNT:,}.")
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
