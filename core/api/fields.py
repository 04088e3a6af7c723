"""Serializer fields shared by the apps' input serializers: strict, with messages naming what is allowed."""

from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.patterns import JSON_OBJECT_SCHEMA
from core.validation import date_out_of_range_message

PG_INTEGER_MAX = 2_147_483_647


class AllowedChoiceField(serializers.ChoiceField):
    """A ChoiceField whose error names the allowed values (clients fix their input from the message)."""

    def __init__(self, choices, **kwargs):
        values = getattr(choices, "values", choices)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid_choice", "'{input}' is not allowed; allowed: " + ", ".join(str(v) for v in values) + "."
        )
        super().__init__(choices=getattr(choices, "choices", choices), **kwargs)


class ScoreField(serializers.FloatField):
    """A confidence score from 0 to 1, stored with three decimals (extra precision is rounded, not refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        self.run_validators(value)  # the range first: rounding -1e308 to three decimals is a decimal error
        return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


class BoundedIntegerField(serializers.IntegerField):
    """An integer that fits PostgreSQL's `integer` column (bigger values would be a database error)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", PG_INTEGER_MAX)
        super().__init__(**kwargs)


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


@extend_schema_field(JSON_OBJECT_SCHEMA)
class JSONObjectField(serializers.JSONField):
    """A JSON object (not a list or a scalar) that PostgreSQL's JSONB accepts (no NUL characters)."""

    default_error_messages = {
        "not_an_object": "Expected a JSON object.",
        "nul_character": "Strings in this object may not contain NUL (\\u0000) characters.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        if _contains_nul(value):
            self.fail("nul_character")
        return value


# The years from EARLIEST_DATE to LATEST_DATE (2000 to 2099), said as a pattern beside the date format
# (tests/api/test_schema_limits.py holds the two together).
REPORT_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}


@extend_schema_field(REPORT_DATE_SCHEMA)
class ReportDateField(serializers.DateField):
    """A day of a report (YYYY-MM-DD) within the range the analytics support."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        message = date_out_of_range_message(day)
        if message:
            raise serializers.ValidationError(message)
        return day
