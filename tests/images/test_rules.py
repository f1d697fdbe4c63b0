"""The product's attribute rules, as creation and update apply them."""

import pytest

from core import text, units
from core.errors import ImsError
from images import validation


@pytest.mark.parametrize("name", ["web-server", "CentOS 7.9 base", "镜像_1.0", "a" * 128])
def test_names_the_product_accepts(name):
    assert text.check_name(name) == name


@pytest.mark.parametrize("name", ["", " leading", "trailing ", "a" * 129, "semi;colon", "<b>", None, 12, "tab\tname"])
def test_names_the_product_refuses(name):
    with pytest.raises(ImsError) as refused:
        text.check_name(name)
    assert refused.value.code == "IMG.0001" and "name" in refused.value.message


@pytest.mark.parametrize("description", ["line\rbreak", "<script>", "x" * 1025, 5])
def test_descriptions_with_cr_angle_brackets_or_too_long_are_refused(description):
    with pytest.raises(ImsError):
        text.check_description(description)


def test_tags_accept_both_forms_and_refuse_an_eleventh_or_a_duplicate_key():
    assert text.check_tags([{"key": "env", "value": "prod"}]) == {"env": "prod"}
    assert text.check_tags(tags=["env.prod", "team"]) == {"env": "prod", "team": ""}
    with pytest.raises(ImsError, match="at most 10"):
        text.check_tags([{"key": f"k{i}", "value": "v"} for i in range(11)])
    with pytest.raises(ImsError, match="twice"):
        text.check_tags([{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])
    with pytest.raises(ImsError, match="either"):
        text.check_tags([{"key": "a"}], ["b.c"])
    with pytest.raises(ImsError):
        text.check_tags([{"key": "bad key!"}])


@pytest.mark.parametrize("value", [True, "abc", 39, 1025, None])
def test_min_disk_outside_40_to_1024_or_not_a_number_is_refused(value):
    with pytest.raises(ImsError):
        text.check_int("min_disk", value, 40, 1024)


def test_bucket_urls_and_sha256_are_checked():
    assert validation.check_bucket_url("image_url", "bucket:dir/file.qcow2") == "bucket:dir/file.qcow2"
    for bad in ("bucket", ":key", "bucket:", None):
        with pytest.raises(ImsError):
            validation.check_bucket_url("image_url", bad)
    assert validation.check_sha256("sha256", "A" * 64) == "a" * 64
    with pytest.raises(ImsError):
        validation.check_sha256("sha256", "xyz")


def test_gib_ceil_rounds_up():
    assert units.gib_ceil(1) == 1 and units.gib_ceil(units.GiB) == 1 and units.gib_ceil(units.GiB + 1) == 2
