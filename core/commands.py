"""Shared bits of every management command: argument types, and domain errors as one-line command errors."""

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


def command_message(error: DomainError) -> str:
    """The error's message, followed by the field details it does not already say."""
    details = [text for texts in error.errors.values() for text in texts if text not in error.message]
    return f"{error.message} {'; '.join(details)}".strip()


@contextlib.contextmanager
def domain_errors_as_command_errors(*expected: type[Exception]):
    """A refused request ends the command with one line (exit status 1), never a traceback.

    `expected`: other exceptions the command anticipates (a malformed input file), shown by their text.
    """
    try:
        yield
    except DomainError as error:
        raise CommandError(command_message(error)) from None
    except expected as error:
        raise CommandError(str(error)) from None
