"""Finding customers from what an agent types: a name (accents and case ignored), a customer id, a phone number.

Each condition is written exactly as indexed in crm/migrations/0005_customer_search_indexes.py, so PostgreSQL
answers from those indexes: a name by word prefixes ("chlo pet" finds "Chloé Petit"), a customer id in any case,
a phone number in any format (normalised with phonenumbers, France the default region).
"""

import re

import phonenumbers
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Customer

PHONE_REGION = "FR"  # the region of numbers written without a country code (crm_phone_key assumes it too)
MAX_WORDS = 8  # words of a name search; more only slow the query down
_WORD = re.compile(r"\w+")
_PHONE_LIKE = re.compile(r"[0-9+()./\s-]+")
MIN_PHONE_DIGITS = 6  # fewer digits are not a number anyone would search by
# Exactly the expression of customers_name_search_idx, or PostgreSQL cannot use the index.
NAME_VECTOR = "to_tsvector('simple'::regconfig, crm_fold(name))"


def name_tsquery(term: str) -> str:
    """`'chloe':* & 'pet':*` for "chloe pet": every word, as a prefix (words are \\w+: no quoting to escape)."""
    return " & ".join(f"'{word}':*" for word in _WORD.findall(term)[:MAX_WORDS])


def phone_key(term: str) -> str | None:
    """The E.164 digits (no "+") of a phone number written in any format, or None when it is not one."""
    if not _PHONE_LIKE.fullmatch(term) or sum(c.isdigit() for c in term) < MIN_PHONE_DIGITS:
        return None
    try:
        number = phonenumbers.parse(term, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def tel_uri(phone: str) -> str:
    """`tel:+33612345678` for a stored number in any format; its bare digits when phonenumbers cannot read it."""
    key = phone_key(phone.strip())
    return f"tel:+{key}" if key else "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def _condition(sql: str, param: str) -> Q:
    return Q(RawSQL(sql, [param], output_field=BooleanField()))


def customers_matching(term: str) -> QuerySet[Customer]:
    """Customers whose name, customer id (any case) or phone number matches `term`; one indexed query (BitmapOr)."""
    term = term.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    condition = _condition("upper(customer_id) = upper(%s)", term)
    key = phone_key(term)
    if key:
        condition |= _condition("crm_phone_key(phone) = %s", key)
    query = name_tsquery(term)
    if query and not key:  # digits and separators are a phone number, never a name
        condition |= _condition(f"{NAME_VECTOR} @@ to_tsquery('simple', crm_fold(%s))", query)
    return Customer.objects.filter(condition)
