"""JSON responses rendered with orjson: a page of 1,000 images is encoded several times faster than by the
standard library, with the same bytes DRF's own renderer gives (compact, UTF-8, its date and time format)."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Dates and times go through DRF's encoder (ISO 8601, milliseconds, "Z"), as every client has seen them so far.
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)  # asked for a readable body
        try:
            body = orjson.dumps(data, default=JSONEncoder().default, option=OPTIONS)
        except TypeError:  # what orjson does not take (an int beyond 64 bits): as DRF always did
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028 and U+2029 are valid JSON but end a line in JavaScript.
        for raw, escaped in _LINE_SEPARATORS:
            if raw in body:
                body = body.replace(raw, escaped)
        return body
