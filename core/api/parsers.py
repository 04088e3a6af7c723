"""The API's JSON parser: bounded in size and nesting depth before json.loads sees the body.

json.loads recurses once per nesting level: a body of a few kilobytes nested a thousand levels deep ends
in RecursionError (a 500 whose traceback logs the whole body), and whatever survives the parser recurses
again in the serializers and in JSONB encoding. Both limits are checked first, in C-speed passes.
"""

import re

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

from core.api.exceptions import too_large

# A JSON string with its escapes; what remains once strings are removed is structure, numbers, literals.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")


def nesting_depth_over(data: bytes, limit: int) -> bool:
    """True when arrays/objects nest deeper than `limit`; linear, and free when the body has few brackets."""
    if data.count(b"[") + data.count(b"{") <= limit:  # depth never exceeds the number of openers
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b"", data)):
        depth += 1 if bracket[0] in _OPENERS else -1
        if depth > limit:
            return True
    return False


class BoundedJSONParser(JSONParser):
    """JSONParser with API_MAX_BODY_BYTES (413) and API_MAX_JSON_DEPTH (400); a view may set `max_body_bytes`."""

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        limit = getattr(view, "max_body_bytes", None) or settings.API_MAX_BODY_BYTES
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise too_large(limit)
        depth = settings.API_MAX_JSON_DEPTH
        if nesting_depth_over(data, depth):
            raise exceptions.ParseError(f"JSON parse error - arrays and objects nested over {depth} levels deep.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(data.decode(encoding), parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:  # UnicodeDecodeError included
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
