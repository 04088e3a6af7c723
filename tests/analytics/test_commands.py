"""Argument checks shared by the analytics commands."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "command, args, message",
    [
        ("purge_old_data", ["--days", "1000000"], "give 1 to 36,500"),
        ("compute_daily_metrics", ["--date", "9999-12-31"], "allowed: 2000-01-01 to 2099-12-31"),
    ],
)
def test_out_of_range_arguments_are_refused_with_the_allowed_range(command, args, message):
    with pytest.raises(CommandError) as error:
        call_command(command, *args)
    assert message in str(error.value)
