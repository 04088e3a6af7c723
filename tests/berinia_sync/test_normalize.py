"""The fast paths agree with email-validator and phonenumbers: whatever they accept, the library returns too."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from berinia_sync.normalize import (
    InvalidValue,
    fast_email,
    fast_phone,
    library_email,
    library_phone,
    normalize_email,
    normalize_phone,
    unstorable_character,
    unstorable_field,
)

_ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

local_parts = st.lists(st.text(_ATEXT, min_size=1, max_size=20), min_size=1, max_size=4).map(".".join)
labels = st.text(_LABEL_CHARS, min_size=1, max_size=20)
tlds = st.sampled_from(["fr", "com", "io", "test", "local", "example", "org", "xn--p1ai", "c", "co"]) | st.text(
    "abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6
)
domains = st.builds(lambda parts, tld: ".".join([*parts, tld]), st.lists(labels, min_size=1, max_size=3), tlds)
plausible_emails = st.builds(
    lambda local, domain, pad: f"{pad}{local}@{domain}{pad}", local_parts, domains, st.sampled_from(["", " ", "\t"])
)


def _library_email_or_none(raw):
    try:
        return library_email(raw)
    except InvalidValue:
        return None


@settings(max_examples=3000)
@given(plausible_emails | st.text(max_size=40))
@example("Contact@Delices-Anna.Example.FR")
@example("a..b@example.fr")
@example("ab@xn--bcher-kva.fr")
@example("x@localhost")
def test_fast_email_accepts_only_what_email_validator_accepts_and_returns_the_same(raw):
    fast = fast_email(raw)
    if fast is not None:
        assert fast == _library_email_or_none(raw)


def test_fast_email_takes_the_common_addresses():
    assert fast_email(" Contact@Delices-Anna.Example.FR ") == "contact@delices-anna.example.fr"
    assert fast_email("claire.lemoine@boulangerie-lemoine.example.fr") is not None


def _library_phone_or_none(raw):
    try:
        return library_phone(raw)
    except InvalidValue:
        return None


def _written(prefix, national, separator):
    pairs = [national[0]] + [national[i : i + 2] for i in range(1, 9, 2)]
    return prefix + (separator if prefix == "+33" else "") + separator.join(pairs)


french_writings = st.builds(
    _written,
    st.sampled_from(["+33", "0", "+330", "0033", "33"]),
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["", " ", ".", "-", "  ", "/"]),
)


@settings(max_examples=5000)
@given(french_writings | st.text("+0123456789 .-()", max_size=16) | st.text(max_size=20))
@example("+33612345678")
@example("06 12 34 56 78")
@example("+33 1 99 00 12 14")
@example("0999999999")
def test_fast_phone_accepts_only_what_phonenumbers_accepts_and_returns_the_same(raw):
    fast = fast_phone(raw)
    if fast is not None:
        assert fast == _library_phone_or_none(raw)


def test_fast_phone_takes_the_common_french_writings():
    assert fast_phone("06 12 34 56 78") == "+33612345678"
    assert fast_phone("+33612345678") == "+33612345678"
    assert fast_phone("01.99.00.12.14") == "+33199001214"


@pytest.mark.parametrize(
    "raw, expected",
    [("+44 20 7946 0958", "+442079460958"), ("0033 6 12 34 56 78", "+33612345678"), (612345678, "+33612345678")],
)
def test_normalize_phone_falls_back_to_the_library(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "+33 6 12", "not a phone", "", None, "+1 555"])
def test_normalize_phone_rejects_what_the_library_rejects(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


@pytest.mark.parametrize("raw", ["sophie.garnier.example.fr", "a@b", "x@y.test", "", None, "a b@example.fr"])
def test_normalize_email_rejects_what_the_library_rejects(raw):
    with pytest.raises(InvalidValue):
        normalize_email(raw)


def test_normalize_email_falls_back_to_the_library_for_unicode():
    assert normalize_email("Élodie@Café.fr") == library_email("Élodie@Café.fr")


def _first_unstorable_field_by_field(lead):
    """The reference: each key and value checked on its own, in order."""
    for key, value in lead.items():
        problem = unstorable_character(key) or unstorable_character(value)
        if problem:
            return key, problem
    return None


_text_with_hazards = st.text(st.sampled_from(["a", "é", " ", "\x00", "\ud800", "\udc80", "😀", "z"]), max_size=6)
_values = st.recursive(
    st.none() | st.integers() | st.floats(allow_nan=False) | _text_with_hazards,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text_with_hazards, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=500)
@given(st.dictionaries(_text_with_hazards, _values, max_size=6))
@example({"city": "Par\x00is"})
@example({"ok": "Chloé", "reviews": {"text": ["ok", "b\ud800d"]}})
@example({"a\udc80": "fine"})
def test_unstorable_field_names_the_first_field_the_field_by_field_check_names(lead):
    assert unstorable_field(lead) == _first_unstorable_field_by_field(lead)
