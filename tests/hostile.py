"""Hostile input for the sweeps of tests/console/test_hostile_*.py: every route of the URL conf, found by walking
it (a new route joins the sweep by existing), with the inputs an attacker or a clumsy client sends."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

DEEP_JSON = "[" * 100_000 + "]" * 100_000
JSON_BODIES = {
    "deep": DEEP_JSON,
    "surrogate": '{"name": "a\\ud800b", "key": "\\udc00", "tags": ["\\ud800"]}',
    "huge-number": '{"name": "x", "min_disk": 1e400, "size": 1e400, "limit": 1e400, "number": 1e400}',
    "long-integer": '{"min_disk": ' + "9" * 5000 + "}",
    "nul-and-bidi": '{"name": "nul\\u0000", "description": "a\\u202eb", "key": "k\\u0000", "tags": ["a\\u202e"]}',
    "wrong-types": '{"name": 5, "tags": "ab", "min_disk": 40.7, "image_tags": "k", "members": "x", "size": "big"}',
    "not-an-object": '"text"',
    "list-of-junk": '[1, null, {"op": 7}]',
}
FORM_FIELDS = ["name", "description", "tags", "min_disk", "key", "value", "bucket", "username", "password", "start"]
FORM_VALUES = {
    "nul": "a\x00b",
    "bidi": "invoice\u202egpj.exe",
    "huge-number": "1e400",
    "long-integer": "9" * 5000,
    "impossible-date": "2026-02-30",
}
QUERY = (
    "?limit=1e400&marker=%00&start=2026-02-30&end=2026-13-45T25:00&page=-1&name=a%E2%80%AEb&tags=%00"
    "&sort_key=%00&status=%ED%A0%80&offset=99999999999999999999999"
)
PATH_VALUES = ["a%00b", "a%E2%80%AEb", "1e400", "%ED%A0%80", "9" * 40]
METHODS = ["get", "post", "put", "patch", "delete"]
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>.*\)(?=\$?$)")


@dataclass(frozen=True)
class Route:
    route: str  # the URL conf's pattern, parameters as written there
    name: str

    def url(self, values: dict[str, str], default: str) -> str:
        def value(match):
            name = match["name"] or match["group"]
            if match["converter"] == "int":
                return "1"
            return values.get(name, default)

        return "/" + _PARAMETER.sub(value, self.route).lstrip("^").rstrip("$")


def routes(prefix_filter) -> list[Route]:
    """Every route of the URL conf whose full pattern `prefix_filter` accepts."""
    found = []

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and prefix_filter(text):
                found.append(Route(text, f"{namespace}:{pattern.name}" if namespace else str(pattern.name)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(found), key=lambda route: route.route)


def server_errors(responses) -> list[str]:
    """(description, response) pairs answered with a 5xx, as readable lines."""
    return [f"{what} -> {response.status_code}" for what, response in responses if response.status_code >= 500]
