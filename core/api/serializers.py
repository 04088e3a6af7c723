"""Base input serializer of the API: unknown keys are refused, not silently dropped; text is text.

A bot that sends `prority` instead of `priority` must hear about it; the OpenAPI schema says so too
(`additionalProperties: false` on request bodies, through the extension below). DRF coerces types the
schema does not allow (`"phone": 1e-227` would be stored as "1e-227", `"is_active": 0` read as false): here a
text field takes a JSON string, a boolean a JSON boolean and a number a JSON number, as the schema says.

`exactly_one_of` names fields of which a request gives exactly one (e.g. start or continue an interaction);
the schema declares it as `oneOf`; `request_schema_rules` adds other rules across fields (JSON Schema, e.g. a
`not`). The services still check these for Python callers: the schema only says what they enforce.
"""

from collections.abc import Mapping

from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers


def _json_type_errors(name: str, field: serializers.Field, value) -> dict[str, list[str]]:
    """What DRF would coerce but the schema's type refuses: `"5"` or `true` for a number, `0` for a boolean,
    a number for text. (Form uploads are all text: the caller skips them.)"""
    if isinstance(field, serializers.CharField):
        if not isinstance(value, str):
            return {name: ["Expected a JSON string."]}
        # DRF measures after trimming white space; the schema's maxLength counts what was sent.
        if field.max_length is not None and len(value) > field.max_length:
            return {name: [f"Ensure this field has no more than {field.max_length} characters."]}
    elif isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return {name: ["Expected a JSON boolean: true or false."]}
    elif isinstance(field, serializers.IntegerField | serializers.FloatField) and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        return {name: ["Expected a JSON number."]}
    return {}


class StrictInputSerializer(serializers.Serializer):
    exactly_one_of: tuple[str, ...] = ()
    request_schema_rules: dict = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                allowed = ", ".join(self.fields)
                raise serializers.ValidationError({key: [f"Unknown field; allowed: {allowed}."] for key in unknown})
            refused = {}
            if not isinstance(data, QueryDict):
                for name, field in self.fields.items():
                    if data.get(name) is not None:
                        refused.update(_json_type_errors(name, field, data[name]))
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


class StrictInputSerializerExtension(OpenApiSerializerExtension):
    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
            if self.target.exactly_one_of:
                schema["oneOf"] = [{"required": [name]} for name in self.target.exactly_one_of]
            schema.update(self.target.request_schema_rules)
        return schema
