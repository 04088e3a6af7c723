"""The one helper that turns domain errors into one-line command errors, for every management command."""

import pytest
from django.core.management.base import CommandError

from core.commands import domain_errors_as_command_errors
from core.errors import Conflict, InvalidInput


def test_a_domain_error_becomes_its_message_with_the_details_it_does_not_already_say():
    with pytest.raises(CommandError) as raised, domain_errors_as_command_errors():
        raise InvalidInput("The password is too weak.", errors={"password": ["Too short.", "Too common."]})
    assert str(raised.value) == "The password is too weak. Too short.; Too common."
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # no chained traceback


def test_details_already_in_the_message_are_not_repeated():
    with pytest.raises(CommandError) as raised, domain_errors_as_command_errors():
        raise InvalidInput.for_field("days", "Give 1 to 36,500.")
    assert str(raised.value) == "days: Give 1 to 36,500."


def test_expected_exceptions_are_shown_by_their_text_and_others_pass_through():
    with pytest.raises(CommandError, match="^bad CSV row 3$"), domain_errors_as_command_errors(ValueError):
        raise ValueError("bad CSV row 3")
    with pytest.raises(KeyError), domain_errors_as_command_errors(ValueError):
        raise KeyError("a bug stays a bug")
    with pytest.raises(CommandError, match="^Already held by bob.$"), domain_errors_as_command_errors():
        raise Conflict("Already held by bob.")
