"""The tag API's bodies parsed by their input serializers: each refusal keeps its code and message."""

import pytest

from core.errors import ImsError
from images.api.inputs import tags as inputs
from images.api.inputs.common import parse
from images.services.tags import TagFilter

FILTER = inputs.ListImageByTagsBody


def message(serializer, body) -> str:
    with pytest.raises(ImsError) as caught:
        parse(serializer, body)
    assert caught.value.code == "IMG.0001"
    return caught.value.message


def test_a_selection_body_becomes_typed_filters_names_and_a_page():
    body = {
        "action": "filter",
        "tags": [{"key": "env", "values": ["prod", 1]}],
        "not_tags_any": [{"key": "team"}],
        "matches": [{"key": "resource_name", "value": "web"}, {"key": "resource_name", "value": ""}],
        "limit": "5",
        "offset": "2",
    }
    assert parse(FILTER, body) == {
        "action": "filter",
        "without_any_tag": False,
        "tags": [TagFilter("env", ("prod", "1"))],
        "tags_any": [],
        "not_tags": [],
        "not_tags_any": [TagFilter("team", ())],
        "names": ["web"],
        "limit": 5,
        "offset": 2,
    }


def test_untagged_selection_ignores_the_filters_and_count_ignores_the_page():
    body = {"action": "count", "without_any_tag": True, "tags": "ignored", "limit": "lots"}
    assert parse(FILTER, body) == {"action": "count", "without_any_tag": True, "names": []}


@pytest.mark.parametrize(
    "body, refused",
    [
        ({"action": "find"}, "action: must be filter or count."),
        ({"action": "count", "tags": [{"key": f"k{n}"} for n in range(11)]}, "tags: at most 10 {key, values} objects."),
        (
            {"action": "count", "tags_any": [{"key": "k", "values": list("abcdefghijk")}]},
            "tags_any: each filter has a key and at most 10 values.",
        ),
        ({"action": "count", "not_tags": [{"values": []}]}, "not_tags: each filter has a key and at most 10 values."),
        (
            {"action": "count", "matches": [{"key": "name", "value": "x"}]},
            "matches: each match is {key: resource_name, value}.",
        ),
        ({"action": "count", "matches": "web"}, "matches: each match is {key: resource_name, value}."),
        ({"action": "filter", "limit": "lots"}, "limit: must be a whole number."),
        ({"action": "filter", "offset": "-1"}, "offset: must be between 0 and 1000000000."),
    ],
)
def test_selection_bodies_refused(body, refused):
    assert message(FILTER, body) == refused


def test_tag_bodies_become_pairs():
    assert parse(inputs.LegacyTagBody, {"image_id": "i", "tag": "env.prod.eu"}) == {
        "image_id": "i",
        "tags": {"env": "prod.eu"},
    }
    assert parse(inputs.LegacyTagBody, {"image_id": "i", "image_tag": {"key": "k"}}) == {
        "image_id": "i",
        "tags": {"k": ""},
    }
    assert parse(inputs.AddTagBody, {"tag": {"key": "k", "value": "v"}}) == {"tags": {"k": "v"}}
    assert parse(inputs.TagsBody, {"tags": [{"key": "a", "value": "1"}, {"key": "b"}]}) == {"tags": {"a": "1", "b": ""}}
    assert parse(inputs.TagActionBody, {"action": "Create"}) == {"action": "Create", "tags": {}}


def test_tag_bodies_refused_with_the_tag_rules_messages():
    assert message(inputs.LegacyTagBody, {"tag": "a.b"}) == "image_id: is required."
    assert message(inputs.LegacyTagBody, {"image_id": "i", "tag": ""}) == "tag: must be a string key.value."
    assert message(inputs.TagsBody, {}) == "tags: must be a list of {key, value} objects."
    assert message(inputs.AddTagBody, {"tag": {"value": "no key"}}).startswith("image_tags: ")
