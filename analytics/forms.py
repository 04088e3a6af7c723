"""The dashboard's date-range form: what a supervisor may ask for, said on the form when refused."""

import datetime

from django import forms

from analytics.api.daily import default_range
from analytics.selectors import MAX_RANGE_DAYS
from core.validation import EARLIEST_DATE, LATEST_DATE, date_out_of_range_message

ALLOWED = f"a day as YYYY-MM-DD from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d", attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()})


def _day_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DayInput(),
        input_formats=["%Y-%m-%d"],
        help_text=help_text,
        error_messages={"invalid": f"Not a date; allowed: {ALLOWED}."},
    )


class DateRangeForm(forms.Form):
    """A range of days (GET parameters); empty bounds take the API's defaults (the last seven days)."""

    date_from = _day_field("From", "First day (inclusive).")
    date_to = _day_field("To", f"Last day (inclusive); at most {MAX_RANGE_DAYS} days after the first.")

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and (message := date_out_of_range_message(day)):
            raise forms.ValidationError(message)
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        date_from, date_to = default_range(cleaned.get("date_from"), cleaned.get("date_to"))
        if date_from > date_to:
            self.add_error("date_from", f"{date_from} is after {date_to}; allowed: a first day on or before the last.")
        elif (date_to - date_from).days >= MAX_RANGE_DAYS:
            self.add_error("date_to", f"The range may cover at most {MAX_RANGE_DAYS} days.")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def days(self) -> tuple[datetime.date, datetime.date]:
        """The range asked for, defaults filled (only after is_valid())."""
        return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
