"""Validation and normal forms of e-mail addresses and phone numbers, with a fast path for the common cases.

The libraries are the reference: email-validator (no deliverability check) and phonenumbers (France as the
default region). Calling them costs ~125 µs and ~95 µs per lead, so well-formed common inputs (plain ASCII
addresses, French numbers written `+33…` or `0…` with the usual separators) take a fast path that only ever
*accepts*; anything it is unsure of goes to the library. tests/berinia_sync/test_normalize.py proves with
hypothesis that every value the fast path accepts is exactly what the library returns.
"""

import re

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

DEFAULT_REGION = "FR"


class InvalidValue(ValueError):
    """A value the reference library rejects; the message says why, fit for a rejection report."""


# --- text PostgreSQL can store -----------------------------------------------------------------------------


def unstorable_character(value) -> str | None:
    """What in `value` (text, or JSON lists/objects of it) PostgreSQL's UTF-8 text and JSONB refuse, or None.

    NUL is refused by text and JSONB alike; a lone surrogate (JSON's "\\ud800") cannot be encoded to UTF-8.
    Either would fail the whole batch's statement, so the lead is rejected before it gets there.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return "NUL character"
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                return "lone surrogate"
        return None
    if isinstance(value, dict):
        return next(filter(None, map(unstorable_character, (*value, *value.values()))), None)
    if isinstance(value, list):
        return next(filter(None, map(unstorable_character, value)), None)
    return None


def unstorable_field(lead: dict) -> tuple[str, str] | None:
    """(field, problem) of the first key or value of `lead` that PostgreSQL cannot store, or None.

    The common case (nothing wrong) is one pass: the lead's text is joined and scanned once, instead of each
    key and value on its own; only a lead with a problem is walked field by field, to name the field.
    """
    texts = [key for key in lead if isinstance(key, str)]
    nested = []
    for value in lead.values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict | list):
            nested.append(value)
    text = "".join(texts)
    if "\x00" not in text and (text.isascii() or _encodable(text)) and not any(map(unstorable_character, nested)):
        return None
    for key, value in lead.items():
        problem = unstorable_character(key) or unstorable_character(value)
        if problem:
            return key, problem
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# --- e-mail -------------------------------------------------------------------------------------------------

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+([a-z]{{2,63}}))", re.ASCII)
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
# Today every special-use name is one label (a TLD); if the library ever lists longer ones, check them all.
_SPECIAL_USE_MULTI = tuple("." + name for name in _SPECIAL_USE if "." in name)


def fast_email(raw: str) -> str | None:
    """The lower-cased address when `raw` is a plain ASCII address the library surely accepts, else None."""
    value = raw.strip().lower()
    match = _PLAIN_EMAIL.fullmatch(value)
    if match is None:
        return None
    local, domain, tld = match.groups()
    # IDNA reserves "--" (xn--…); special-use domains (.test, .local…) are refused by the library.
    if len(local) > 64 or len(value) > 254 or "--" in domain or tld in _SPECIAL_USE:
        return None
    if _SPECIAL_USE_MULTI and ("." + domain).endswith(_SPECIAL_USE_MULTI):
        return None
    return value


def library_email(raw: str) -> str:
    """email-validator's normal form, lower-cased; raises InvalidValue."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidValue(str(error)) from None


def normalize_email(raw) -> str:
    """The address Berinia stores (validated, lower-cased); raises InvalidValue."""
    if not isinstance(raw, str):
        raise InvalidValue("An e-mail address must be text.")
    return fast_email(raw) or library_email(raw)


# --- phone --------------------------------------------------------------------------------------------------

_FR = phonenumbers.PhoneMetadata.metadata_for_region(DEFAULT_REGION)
# The number types phonenumbers accepts as valid for France, from its own metadata (all are 9 digits long).
_FR_TYPES = [
    _FR.fixed_line,
    _FR.mobile,
    _FR.toll_free,
    _FR.premium_rate,
    _FR.shared_cost,
    _FR.voip,
    _FR.uan,
    _FR.personal_number,
    _FR.pager,
    _FR.voicemail,
]
_FR_VALID = re.compile(
    "|".join(f"(?:{desc.national_number_pattern})" for desc in _FR_TYPES if desc and desc.national_number_pattern)
)
_FR_WRITTEN = re.compile(r"(?:\+33|0)([1-9][0-9]{8})", re.ASCII)
_SEPARATORS = str.maketrans("", "", " .-")


def fast_phone(raw: str) -> str | None:
    """E.164 for a French number written +33… or 0… (spaces, dots, hyphens allowed) that is valid, else None."""
    match = _FR_WRITTEN.fullmatch(raw.strip().translate(_SEPARATORS))
    if match is None:
        return None
    national = match.group(1)
    if _FR_VALID.fullmatch(national) is None:
        return None
    return "+33" + national


def library_phone(raw: str) -> str:
    """phonenumbers' E.164 form (France by default); raises InvalidValue."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise InvalidValue(f"Not a phone number ({error._msg})") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("Not a valid phone number for its country.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw) -> str:
    """The number Berinia stores (E.164); raises InvalidValue."""
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str):
        raise InvalidValue("A phone number must be text.")
    return fast_phone(raw) or library_phone(raw)


# How Berinia's existing rows are compared with ours: the same normal forms, computed in SQL (the rows were
# written by several tools). {col} is the column expression. Formats handled: E.164, 00-international,
# French national 0X…, and "+33 (0)6…", with spaces, dots, hyphens, slashes and parentheses.
SQL_NORMAL_PHONE = r"""
(CASE
   WHEN d ~ '^\+330[1-9][0-9]{{8}}$' THEN '+33' || substr(d, 5)
   WHEN d ~ '^\+[1-9][0-9]{{6,14}}$' THEN d
   WHEN d ~ '^00[1-9][0-9]{{6,14}}$' THEN '+' || substr(d, 3)
   WHEN d ~ '^0[1-9][0-9]{{8}}$' THEN '+33' || substr(d, 2)
 END)
FROM (SELECT regexp_replace({col}, '[\s.()/-]', '', 'g') AS d) AS digits
"""
# Already E.164 ("+", a digit 1-9, 6 to 14 digits), and not "+330…", which the first case above rewrites: the
# number is its own normal form. Plain string functions, no regular expression: most stored numbers take this
# path, and building a run's index of Berinia's leads (services/writer.py) costs half as much.
SQL_ALREADY_E164 = (
    "(left({col}, 1) = '+' AND translate({col}, '0123456789', '') = '+' AND substr({col}, 2, 1) <> '0'"
    " AND length({col}) BETWEEN 8 AND 16 AND left({col}, 4) <> '+330')"
)
SQL_NORMAL_EMAIL = "lower(btrim({col}))"


def sql_normal_phone(column: str) -> str:
    """An expression giving the normal form of the phone in `column` (NULL when not recognised)."""
    return (
        f"CASE WHEN {SQL_ALREADY_E164.format(col=column)} THEN {column}"
        f" ELSE (SELECT {SQL_NORMAL_PHONE.format(col=column)}) END"
    )


def sql_normal_email(column: str) -> str:
    return SQL_NORMAL_EMAIL.format(col=column)
