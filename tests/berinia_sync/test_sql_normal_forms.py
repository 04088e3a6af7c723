"""Berinia's stored phones and e-mails are brought to their normal forms in SQL (each run's index of
Berinia's leads); the fast path for numbers already in E.164 gives what the full expression gives."""

import pytest
from django.db import connections
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from berinia_sync.normalize import SQL_NORMAL_PHONE, sql_normal_phone

pytestmark = pytest.mark.django_db(databases=["berinia"])

# Stored numbers as other tools write them: E.164, "+330…", 00-international, national, with separators.
_phone_chars = st.sampled_from(list("+0123456789 .-()/") + ["x", "٣"])
_written_phones = st.lists(_phone_chars, max_size=18).map("".join) | st.builds(
    lambda prefix, digits: prefix + digits,
    st.sampled_from(["+", "+33", "+330", "00", "0", "+1", "+0"]),
    st.text("0123456789", min_size=5, max_size=15),
)


def _normal_forms(phones: list[str]) -> list[tuple]:
    """(SQL normal form as the index computes it, the full expression's) for each phone."""
    full = f"(SELECT {SQL_NORMAL_PHONE.format(col='p.phone')})"
    with connections["berinia"].cursor() as cursor:
        cursor.execute(
            f"SELECT {sql_normal_phone('p.phone')}, {full} FROM unnest(%s::text[]) WITH ORDINALITY AS p(phone, n) "
            "ORDER BY n",
            [phones],
        )
        return cursor.fetchall()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_written_phones, min_size=1, max_size=50))
@example(["+33612345678", "+330612345678", "+3306123", "+0612345678", "+1234567", "+1234567890123456", None])
def test_the_e164_fast_path_gives_the_full_expressions_normal_form(phones):
    for fast, full in _normal_forms(phones):
        assert fast == full


def test_the_usual_writings_reach_the_same_normal_form():
    written = ["+33612345678", "06 12 34 56 78", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+330612345678"]
    assert {fast for fast, _ in _normal_forms(written)} == {"+33612345678"}
