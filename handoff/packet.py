"""The handoff packet: what the bot hands a human agent in a ticket's `context_data`, as a versioned schema.

A `context_data` with a `version` key is a packet and must match the JSON Schema (draft 2020-12) of that
version; one without `version` is the legacy free form, kept as sent and shown as key/value pairs.
Reading goes through `read_context`, which turns any stored `context_data` into a view model: a future
version 2 adds a schema to PACKET_SCHEMAS and a reader to READERS beside version 1.

Choices (docs/api.md, "Handoff packet"): every time is an RFC 3339 date-time with its offset (the
customer's "after 14:00" becomes a full date-time: unambiguous, comparable with `due_at`); years 2000 to
2099, as everywhere else in the API. No string holds a NUL character (PostgreSQL's jsonb cannot store it).
"""

import copy
import datetime
import re
from dataclasses import dataclass, field

from jsonschema import Draft202012Validator, FormatChecker

from core.api.patterns import NON_BLANK_PATTERN
from core.errors import InvalidInput

FIELD = "context_data"
PROMISE_KINDS = ("callback", "send_form", "send_document", "other")
CHANNELS = ("phone", "chat", "email", "sms")
NAMED_ENTITIES = ("policy_number", "claim_number", "contract_number")

# RFC 3339 date-time with an offset, years 2000-2099 and no leap second (Python has none).
DATE_TIME_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
DATE_TIME_MESSAGE = (
    "Expected a date-time with its offset, years 2000 to 2099 (RFC 3339, e.g. 2026-11-30T14:00:00+01:00)."
)


def _text(max_length: int, description: str = "") -> dict:
    # The pattern refuses empty and blank text (and NUL): one rule, one message.
    schema = {"type": "string", "maxLength": max_length, "pattern": NON_BLANK_PATTERN}
    return {**schema, "description": description} if description else schema


def _date_time(description: str) -> dict:
    return {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN, "description": description}


ENTITY_VALUE = _text(200)

PACKET_V1_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Handoff packet, version 1",
    "description": "What the bot understood, did and promised, what is missing and what the customer prefers.",
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"const": 1, "description": "Packet version; 1 is the only one so far."},
        "understood": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "intent": _text(100, "The customer's intent as the bot classified it."),
                "summary": _text(2000, "The bot's summary of the request."),
                "entities": {
                    "type": "object",
                    "description": "Identifiers the bot recognised; free keys besides the named ones, text values.",
                    "maxProperties": 30,
                    "propertyNames": {"maxLength": 50, "pattern": NON_BLANK_PATTERN},
                    "properties": {name: ENTITY_VALUE for name in NAMED_ENTITIES},
                    "additionalProperties": ENTITY_VALUE,
                },
            },
        },
        "actions_done": {
            "type": "array",
            "description": "CRM actions the bot ran for this interaction (ids of its CRM actions).",
            "maxItems": 50,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["action_id", "description"],
                "properties": {
                    "action_id": {
                        "type": "string",
                        "format": "uuid",
                        "description": "A CRM action of this interaction.",
                    },
                    "description": _text(500),
                    "success": {"type": "boolean"},
                },
            },
        },
        "promises": {
            "type": "array",
            "description": "What the bot promised the customer; the earliest due_at becomes the ticket's due time.",
            "maxItems": 20,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "kind"],
                "properties": {
                    "text": _text(500, "As said to the customer, e.g. 'An adviser calls you back before 14:00'."),
                    "kind": {"enum": list(PROMISE_KINDS)},
                    "due_at": _date_time("When the promise falls due."),
                },
            },
        },
        "missing": {
            "type": "array",
            "description": "What the bot could not get and the agent needs.",
            "maxItems": 20,
            "items": _text(500),
        },
        "preference": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "channel": {"enum": list(CHANNELS)},
                "callback_after": _date_time("Call back no earlier than this."),
                "callback_before": _date_time("Call back no later than this."),
            },
        },
    },
}

PACKET_SCHEMAS: dict[int, dict] = {1: PACKET_V1_SCHEMA}
COMPONENT_NAMES: dict[int, str] = {1: "HandoffPacketV1"}


def _is_date_time(value) -> bool:
    if not isinstance(value, str) or not re.match(DATE_TIME_PATTERN, value):
        return True  # not a string: `type` says so; a wrong shape: `pattern` says so
    return parse_date_time(value) is not None


def parse_date_time(value: str) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value.upper())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


_FORMATS = FormatChecker()
_FORMATS.checks("date-time")(_is_date_time)
VALIDATORS = {
    version: Draft202012Validator(schema, format_checker=_FORMATS) for version, schema in PACKET_SCHEMAS.items()
}


def published_schema(version: int) -> dict:
    """The schema as an OpenAPI 3.1 component (the document's dialect is already 2020-12)."""
    schema = copy.deepcopy(PACKET_SCHEMAS[version])
    schema.pop("$schema", None)
    return schema


def legacy_schema(free_object: dict) -> dict:
    """The legacy free form: any JSON object without a `version` key (so that exactly one form matches)."""
    return {
        **free_object,
        "description": "Legacy free form (no `version`): kept as sent, shown as key/value pairs.",
        "not": {"required": ["version"]},
    }


# -- writing: validation -------------------------------------------------------------------------


def packet_version(data) -> int | None:
    """The packet version of a context_data, None for the legacy free form (no `version` key)."""
    if not isinstance(data, dict) or "version" not in data:
        return None
    version = data["version"]
    return version if type(version) is int else -1  # True == 1 in Python: a boolean is no version


def _path(parts) -> str:
    return ".".join([FIELD, *(str(part) for part in parts)])


def _message(error) -> str:
    kind, value = error.validator, error.validator_value
    if kind == "pattern":
        return (
            DATE_TIME_MESSAGE if value == DATE_TIME_PATTERN else "May not be blank or hold a NUL (\\u0000) character."
        )
    if kind == "format":
        return DATE_TIME_MESSAGE if value == "date-time" else f"Expected a {value}."
    if kind == "enum":
        return f"{error.instance!r} is not allowed; allowed: {', '.join(value)}."
    if kind == "type":
        return f"Expected a JSON {value}."
    texts = {
        "maxLength": f"At most {value} characters.",
        "maxItems": f"At most {value} items.",
        "maxProperties": f"At most {value} keys.",
    }
    return texts.get(kind, error.message)


def _error_entries(error):
    """(field path, message) pairs of one schema error; `required` and unknown keys name the key itself."""
    parts = list(error.absolute_path)
    if error.validator == "required":
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                yield _path([*parts, name]), "This field is required."
    elif error.validator == "additionalProperties" and error.validator_value is False:
        allowed = ", ".join(error.schema.get("properties", {}))
        for name in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
            yield _path([*parts, name]), f"Unknown field; allowed: {allowed}."
    elif "propertyNames" in error.absolute_schema_path:  # a bad key: the error is about the key itself
        yield _path([*parts, error.instance]), "A key here is 1 to 50 characters, not blank, without NUL."
    else:
        yield _path(parts), _message(error)


def packet_errors(data) -> dict[str, list[str]]:
    """Field errors of a context_data ({"context_data.promises.0.due_at": [...]}); empty when acceptable."""
    version = packet_version(data)
    if version is None:
        return {}
    if version not in VALIDATORS:
        allowed = ", ".join(str(v) for v in VALIDATORS)
        return {_path(["version"]): [f"{data['version']!r} is not a known packet version; allowed: {allowed}."]}
    errors: dict[str, list[str]] = {}
    for error in sorted(VALIDATORS[version].iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        for name, message in _error_entries(error):
            errors.setdefault(name, []).append(message)
    return errors


def validate_context_data(data) -> None:
    """Raise InvalidInput naming every wrong field of a packet; a legacy free form passes as it is."""
    errors = packet_errors(data)
    if errors:
        name, messages = next(iter(errors.items()))
        raise InvalidInput(f"{name}: {messages[0]}", errors=errors)


def referenced_actions(data) -> list[tuple[int, str]]:
    """(index, action_id) of each CRM action a valid packet says the bot did."""
    if packet_version(data) is None:
        return []
    return [(index, item["action_id"]) for index, item in enumerate(data.get("actions_done", []))]


def due_at_of(data) -> datetime.datetime | None:
    """The earliest promise due time of a valid packet: the ticket's due time (None without one)."""
    if packet_version(data) is None:
        return None
    times = [parse_date_time(p["due_at"]) for p in data.get("promises", []) if p.get("due_at")]
    earliest = min(times, default=None)
    # In UTC: an offset such as +21:20 is valid RFC 3339, but PostgreSQL refuses offsets past ±15:59.
    return earliest.astimezone(datetime.UTC) if earliest else None


# -- reading: the view model ---------------------------------------------------------------------


@dataclass
class ContextView:
    """What the ticket page shows of a context_data: a packet's sections, or the legacy key/value pairs."""

    kind: str  # "packet" or "legacy"
    version: int | None = None
    pairs: list[tuple[str, object]] = field(default_factory=list)
    intent: str = ""
    summary: str = ""
    entities: list[tuple[str, str]] = field(default_factory=list)
    actions_done: list[dict] = field(default_factory=list)
    promises: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    preference: dict = field(default_factory=dict)

    @property
    def is_packet(self) -> bool:
        return self.kind == "packet"

    @property
    def is_empty(self) -> bool:
        return not self.is_packet and not self.pairs


def _label(key: str) -> str:
    return key.replace("_", " ")


def _read_v1(data: dict) -> ContextView:
    understood = data.get("understood", {})
    preference = data.get("preference", {})
    promises = [
        {**p, "due_at": parse_date_time(p["due_at"]) if p.get("due_at") else None} for p in data.get("promises", [])
    ]
    return ContextView(
        kind="packet",
        version=1,
        intent=understood.get("intent", ""),
        summary=understood.get("summary", ""),
        entities=[(_label(key), value) for key, value in understood.get("entities", {}).items()],
        actions_done=[{**a, "action_id": str(a["action_id"]).lower()} for a in data.get("actions_done", [])],
        promises=sorted(promises, key=lambda p: (p["due_at"] is None, p["due_at"] or 0)),
        missing=list(data.get("missing", [])),
        preference={
            "channel": preference.get("channel", ""),
            "callback_after": parse_date_time(preference["callback_after"]) if "callback_after" in preference else None,
            "callback_before": parse_date_time(preference["callback_before"])
            if "callback_before" in preference
            else None,
        },
    )


READERS = {1: _read_v1}


def read_context(data) -> ContextView:
    """Any stored context_data as a view model; what no reader accepts is shown as today (key/value)."""
    version = packet_version(data)
    if version in READERS and not packet_errors(data):
        return READERS[version](data)
    pairs = list(data.items()) if isinstance(data, dict) else []
    return ContextView(kind="legacy", pairs=pairs)
