"""The API's one JSON parser: what Python's json accepts but the rest of the stack cannot hold is refused here,
once, with IMG.0001 naming the cause (and never repeating the input, which may not even be printable):

- nesting deeper than MAX_DEPTH (json recurses: 100,000 levels is a RecursionError, a 500);
- lone UTF-16 surrogates (`"\\ud800"` decodes to a str no database, log or response can encode);
- numbers beyond a float (`1e400` is inf), NaN and Infinity, integers longer than MAX_DIGITS.
"""

import codecs
import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from core.errors import ImsError

MAX_DEPTH = 32
MAX_DIGITS = 30
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def refused(message: str) -> ImsError:
    return ImsError("IMG.0001", message)


def check_depth(text: str) -> None:
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise refused(_("The request body nests too deep (more than %(n)d levels).") % {"n": MAX_DEPTH})


def _number(text: str):
    if len(text) > MAX_DIGITS + 10:
        raise refused(_("The request body holds a number too large to process."))
    number = float(text)
    if not math.isfinite(number):
        raise refused(_("The request body holds a number too large to process."))
    return number


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise refused(_("The request body holds a number too large to process."))
    return int(text)


def _constant(name: str):
    raise refused(_("The request body holds %(value)s, which is not a number JSON allows.") % {"value": name})


def check_strings(value) -> None:
    """Every key and string must be encodable: a lone surrogate is not a character."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise refused(
                _("The request body holds a lone UTF-16 surrogate (\\ud800 to \\udfff), which is not a character.")
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(key)
            check_strings(item)
    elif isinstance(value, list):
        for item in value:
            check_strings(item)


# `json.loads` hooks that refuse numbers beyond a float, integers of more than MAX_DIGITS digits and NaN/Infinity.
BOUNDED_NUMBERS = {"parse_float": _number, "parse_int": _integer, "parse_constant": _constant}


def loads(text: str):
    """JSON text → Python values, refusing what the module docstring lists."""
    check_depth(text)
    try:
        value = json.loads(text, **BOUNDED_NUMBERS)
    except ValueError:
        raise refused(_("The request body is not valid JSON.")) from None
    check_strings(value)
    return value


class StrictJSONParser(JSONParser):
    """DRF's JSONParser with `loads` above (the DEFAULT_PARSER_CLASSES of the API, and the base of its variants)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read() if stream is not None else ""
        except (ValueError, LookupError):
            raise refused(_("The request body is not valid JSON.")) from None
        return loads(text)
