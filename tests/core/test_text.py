"""The one text and number validation every face calls (core.text): hidden characters, line breaks, lists given
as strings and numbers that are not whole are refused with IMG.0001 naming the field."""

import pytest

from core import text
from core.errors import ImsError

HIDDEN = ["invoice\u202egpj.exe", "a\u2066b", "a\u202ab", "nul\x00", "bell\x07", "del\x7f", "c1\x85"]


def refused(check, *args, **kwargs) -> ImsError:
    with pytest.raises(ImsError) as caught:
        check(*args, **kwargs)
    assert caught.value.code == "IMG.0001"
    return caught.value


@pytest.mark.parametrize("value", HIDDEN)
def test_names_refuse_bidi_overrides_and_control_characters(value):
    refused(text.check_name, value)
    refused(text.check_glance_tag, value)


@pytest.mark.parametrize("value", [*HIDDEN, "two\nlines", "crlf\r\n", "tab\tbed"])
def test_descriptions_refuse_hidden_characters_and_line_breaks(value):
    assert "description" in refused(text.check_description, value).message


@pytest.mark.parametrize("value", HIDDEN)
def test_tag_keys_and_values_refuse_hidden_characters(value):
    refused(text.check_tags, [{"key": value, "value": "v"}])
    refused(text.check_tags, [{"key": "k", "value": value}])


def test_a_string_where_a_list_of_tags_is_expected_is_refused():
    assert "list" in refused(text.check_tags, None, "ab").message
    assert "list" in refused(text.check_tags, "ab").message
    assert "list" in refused(text.check_glance_tags, "ab").message


def test_a_glance_tag_with_a_slash_is_refused():
    refused(text.check_glance_tags, ["web/app"])
    assert text.check_glance_tags(["web", "db_1", "web"]) == ["web", "db_1", "web"]


@pytest.mark.parametrize("value", [40.7, float("inf"), float("nan"), "40.7", True, [40]])
def test_numbers_that_are_not_whole_are_refused_not_cut(value):
    assert "whole number" in refused(text.check_int, "min_disk", value, 0, 1024).message


def test_whole_numbers_in_any_spelling_are_taken():
    assert text.check_int("min_disk", 40.0, 0, 1024) == 40
    assert text.check_int("min_disk", "40", 0, 1024) == 40


def test_ordinary_text_still_passes():
    assert text.check_name("web server_1.0") == "web server_1.0"
    assert text.check_description("Ubuntu 24.04 (中文) with nginx") == "Ubuntu 24.04 (中文) with nginx"


@pytest.mark.parametrize("value", [*HIDDEN, "two\nlines", "x" * 256])
def test_plain_text_refuses_hidden_characters_and_length(value):
    assert "description" in refused(text.check_plain_text, "description", value, limit=255).message
    assert text.check_plain_text("description", "ci <script>", limit=255) == "ci <script>"
