"""infra-ia lead dict → one row of Berinia's `leads`, or a rejection with its reason.

Pure Python, no database: it runs in the producer thread of an export. The FieldMapping rows say which
infra-ia field feeds which Berinia column; every field without a column is kept in `score_details`.
Nothing is truncated and no address is invented: a value that does not fit is a rejection.
"""

import json
from dataclasses import dataclass

from ..models import MappingTarget as T
from ..normalize import InvalidValue, normalize_email, normalize_phone, unstorable_field
from .context import RunContext

# Berinia's column lengths (schema: leads).
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 255,
    "phone": 50,
    "company": 255,
    "website": 255,
    "source": 100,
    "position": 100,
    "industry": 100,
    "linkedin_url": 255,
    "status": 50,
}
# Plain strings, not enum members: this module runs once per lead and enum attribute access is slow.
NAME, COMPANY, EMAIL, PHONE, SCORE, CAMPAIGN, NICHE = "name", "company", "email", "phone", "score", "campaign", "niche"
KEEP, IGNORE = T.SCORE_DETAILS.value, T.IGNORE.value
PLAIN_TEXT_TARGETS = tuple(
    t.value for t in (T.WEBSITE, T.SOURCE, T.POSITION, T.INDUSTRY, T.LINKEDIN_URL, T.NOTES, T.STATUS)
)
# Courtesy titles stay with the first name ("Dr Julie" / "Masson") instead of becoming the first name alone.
TITLES = frozenset({"dr", "dr.", "pr", "pr.", "me", "m.", "mme", "mlle", "mr", "mr.", "mrs", "mrs.", "ms", "ms."})

# Columns of the staging table, in COPY order (see writer.STAGE_COLUMNS).
STAGE_FIELDS = (
    "first_name",
    "last_name",
    "has_contact",
    "email",
    "phone",
    "company",
    "website",
    "source",
    "position",
    "industry",
    "linkedin_url",
    "notes",
    "score",
    "status",
    "campagne_id",
    "niche_id",
    "score_details",
)


# One encoder for every lead: json.dumps with options builds a new JSONEncoder per call (~30% of its cost).
_DETAILS_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


class Rejected(Exception):
    """A lead that cannot go to Berinia; `reason` is "code: explanation"."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.reason = f"{code}: {message}"


@dataclass(slots=True)
class MappedLead:
    infra_id: str
    values: dict  # STAGE_FIELDS → value; score_details as a dict until the row is built
    position: int
    warning: str = ""  # kept on the ledger record: what was dropped (an invalid optional phone)

    @property
    def email(self) -> str:
        return self.values["email"]

    @property
    def phone(self) -> str | None:
        return self.values["phone"]

    @property
    def campaign_id(self) -> int:
        return self.values["campagne_id"]

    def merge(self, later: "MappedLead") -> None:
        """Fold a later duplicate of the same lead in: its given values win, except the matching keys."""
        mine, theirs = self.values, later.values
        for name in STAGE_FIELDS:
            value = theirs[name]
            if name in ("email", "phone", "campagne_id"):
                if mine[name] is None:
                    mine[name] = value
            elif name == "score_details":
                mine[name] = {**mine[name], **value}
            elif name in ("first_name", "last_name"):
                if theirs["has_contact"] or not mine["has_contact"]:
                    mine[name] = value
            elif name == "has_contact":
                mine[name] = mine[name] or value
            elif value is not None:
                mine[name] = value

    def stage_row(self, seq: int) -> tuple:
        values = self.values
        row = [seq]
        for name in STAGE_FIELDS:
            row.append(values[name])
        row[-1] = _DETAILS_ENCODER.encode(values["score_details"])
        return tuple(row)


def infra_id_of(raw) -> str:
    value = raw.get("id") if isinstance(raw, dict) else None
    # PostgreSQL text refuses NUL and lone surrogates: the id only names the lead in the report.
    return "" if value is None else str(value).replace("\x00", "").encode(errors="replace").decode()[:255]


def _text(target: str, value, column: str | None = None) -> str | None:
    if value is None:
        return None
    if type(value) is str and len(value) <= 100 and value and not value[0].isspace() and not value[-1].isspace():
        return value  # the common case: already clean and shorter than any limit
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise Rejected("invalid_value", f"{target} must be text, got {type(value).__name__}.")
    text = str(value).strip()
    if not text:
        return None
    limit = MAX_LENGTHS.get(column or target)
    if limit is not None and len(text) > limit:
        raise Rejected("too_long", f"{column or target} is {len(text)} characters; Berinia allows {limit}.")
    return text


def split_name(full_name: str) -> tuple[str, str | None]:
    """ "Gwenaëlle Le Gall" → ("Gwenaëlle", "Le Gall"); a leading courtesy title stays with the first name."""
    parts = full_name.split()
    take = 2 if len(parts) > 2 and parts[0].lower() in TITLES else 1
    return " ".join(parts[:take]), (" ".join(parts[take:]) or None)


def _score(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Rejected("invalid_score", "score must be a whole number from 0 to 100.")
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise Rejected("invalid_score", f"score {value!r} is not a number.") from None
    if number != int(number) or not 0 <= number <= 100:
        raise Rejected("invalid_score", f"score {value!r} is not a whole number from 0 to 100.")
    return int(number)


def _campaign(value, context: RunContext) -> int:
    if context.run_campaign_id is not None:
        return context.run_campaign_id
    if value is None or value == "":
        raise Rejected("missing_campaign", "the lead has no campaign_id and the run has no campaign.")
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise Rejected("invalid_campaign", f"campaign_id {value!r} is not a campaign id.")
    campaign_id = int(value)
    if campaign_id not in context.campaign_ids:
        raise Rejected("unknown_campaign", f"campaign {campaign_id} does not exist in Berinia.")
    return campaign_id


def _names(contact, company) -> tuple[str | None, str | None, bool]:
    contact = _text("contact_name", contact)
    if contact:
        first, last = split_name(contact)
        if len(first) > MAX_LENGTHS["first_name"] or (last and len(last) > MAX_LENGTHS["last_name"]):
            raise Rejected("too_long", "contact_name does not fit Berinia's first_name/last_name (100 each).")
        return first, last, True
    if company:
        # Company-only lead (usual for Google Maps results): the UI shows first_name + last_name.
        if len(company) > MAX_LENGTHS["first_name"]:
            raise Rejected("too_long", "company-only lead: its name is over the 100 characters of first_name.")
        return company, None, False
    raise Rejected("missing_name", "the lead has neither a contact_name nor a company_name.")


def map_lead(raw, context: RunContext, position: int) -> MappedLead:
    """Validate and map one infra-ia lead; raise Rejected with the first reason found."""
    if not isinstance(raw, dict):
        raise Rejected("not_an_object", f"expected a JSON object, got {type(raw).__name__}.")
    targets = context.targets
    given: dict = {}
    details: dict = {}
    unstorable = unstorable_field(raw)
    if unstorable:  # rejected here, alone: in the batch's statement it would fail every lead of the batch
        key, problem = unstorable
        raise Rejected("unstorable_text", f"field {key!r} contains a {problem}, which Berinia cannot store.")
    for key, value in raw.items():
        target = targets.get(key, KEEP)
        if target == KEEP:
            if value is not None and value != "":
                details[key] = value
        elif target != IGNORE:
            given[target] = value

    company = _text("company_name", given.get(COMPANY), "company")
    first_name, last_name, has_contact = _names(given.get(NAME), company)
    raw_email = given.get(EMAIL)
    if raw_email is None or (isinstance(raw_email, str) and not raw_email.strip()):
        raise Rejected("missing_email", "the lead has no e-mail address (none is ever invented).")
    try:
        email = normalize_email(raw_email)
    except InvalidValue as error:
        raise Rejected("invalid_email", f"{raw_email!r}: {error}") from None
    if len(email) > MAX_LENGTHS["email"]:
        raise Rejected("too_long", f"email is {len(email)} characters; Berinia allows 255.")
    raw_phone = given.get(PHONE)
    phone, warning = None, ""
    if raw_phone is not None and raw_phone != "":
        try:
            phone = normalize_phone(raw_phone)
        except InvalidValue as error:
            # The phone is optional: the lead goes without it, the raw value stays in score_details.
            details["invalid_phone"] = raw_phone
            warning = f"warning: invalid_phone dropped: {raw_phone!r}: {error}"
    campaign_id = _campaign(given.get(CAMPAIGN), context)
    niche_name = given.get(NICHE)
    niche_id = context.niche_ids.get(niche_name) if isinstance(niche_name, str) else None
    if niche_name is not None and niche_name != "":
        details["niche"] = niche_name  # kept by name too: unknown niches have no id

    values = {
        "first_name": first_name,
        "last_name": last_name,
        "has_contact": has_contact,
        "email": email,
        "phone": phone,
        "company": company,
        "score": _score(given.get(SCORE)),
        "campagne_id": campaign_id,
        "niche_id": niche_id,
        "score_details": details,
    }
    for target in PLAIN_TEXT_TARGETS:
        value = given.get(target)
        values[target] = None if value is None else _text(target, value)
    return MappedLead(infra_id=infra_id_of(raw), values=values, position=position, warning=warning)
