"""What text the API accepts, as schema fragments (imported by fields, pagination and the schema hooks)."""

# Spelled out rather than `\s`, which means less in ECMA regular expressions than in Python: these are the
# characters str.isspace() knows, i.e. what DRF's trimming removes before it refuses a blank value.
WHITE_SPACE = r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NUL_FREE_PATTERN = r"^[^\u0000]*$"
NON_BLANK_PATTERN = rf"^[^\u0000]*[^\u0000{WHITE_SPACE}][^\u0000]*$"
JSON_VALUE_REF = {"$ref": "#/components/schemas/JsonValue"}
# No `type`: each keyword constrains only the kind it is about (pattern: strings; items: arrays; propertyNames
# and additionalProperties: objects), so this is any JSON value, said without a union that client
# generators cannot name.
JSON_VALUE_SCHEMA = {
    "description": "Any JSON value whose strings and keys hold no NUL (\\u0000) character (jsonb cannot store it).",
    "pattern": NUL_FREE_PATTERN,
    "items": JSON_VALUE_REF,
    "propertyNames": {"pattern": NUL_FREE_PATTERN},
    "additionalProperties": JSON_VALUE_REF,
}
JSON_OBJECT_SCHEMA = {
    "type": "object",
    "propertyNames": {"pattern": NUL_FREE_PATTERN},
    "additionalProperties": JSON_VALUE_REF,
}
