"""Checks shared by services: each raises InvalidInput naming the field and what is allowed."""

import datetime
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput


def require_choice(field: str, value, choices) -> None:
    if value not in choices.values:
        raise InvalidInput.for_field(field, f"'{value}' is not allowed; allowed: {', '.join(choices.values)}.")


def require_text(field: str, value) -> None:
    if not value or not str(value).strip():
        raise InvalidInput.for_field(field, "This field is required and may not be blank.")


def require_unit_interval(field: str, value) -> None:
    if value is None:
        return
    try:
        ok = 0 <= Decimal(str(value)) <= 1
    except InvalidOperation:
        ok = False
    if not ok:
        raise InvalidInput.for_field(field, f"{value} is out of range; allowed: a number from 0 to 1.")


def require_non_negative(field: str, value) -> None:
    if value is not None and value < 0:
        raise InvalidInput.for_field(field, f"{value} is negative; allowed: 0 or more.")


# Dates a report or a command may ask for: wide enough for any real use, far from Python's date
# limits, so that "the day after" or "a week before" never overflows.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


def date_out_of_range_message(value: datetime.date) -> str | None:
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return f"{value.isoformat()} is out of range; allowed: {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."
