"""Base input serializer of the API: unknown keys are refused, not silently dropped.

A bot that sends `prority` instead of `priority` must hear about it; the OpenAPI schema says so too
(`additionalProperties: false` on request bodies, through the extension below).
"""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                allowed = ", ".join(self.fields)
                raise serializers.ValidationError({key: [f"Unknown field; allowed: {allowed}."] for key in unknown})
        return super().to_internal_value(data)


class StrictInputSerializerExtension(OpenApiSerializerExtension):
    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
