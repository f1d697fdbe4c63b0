"""Bucket names, object keys and `bucket:key` addresses are checked before anything touches storage."""

import pytest

from core.errors import ImsError
from obs.naming import parse_url, validate_bucket_name, validate_key


@pytest.mark.parametrize("name", ["abc", "my-bucket", "logs.2026", "a" * 63, "0day"])
def test_s3_style_bucket_names_are_accepted(name):
    assert validate_bucket_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "MyBucket",
        "-bucket",
        "bucket-",
        ".bucket",
        "bucket.",
        "my..bucket",
        "my_bucket",
        "my bucket",
        "192.168.1.1",
        "a.-b",
        "a-.b",
        "../etc",
        "buck/et",
        "bucket\n",
        "",
        None,
        42,
    ],
)
def test_bad_bucket_names_are_refused(name):
    with pytest.raises(ImsError) as refused:
        validate_bucket_name(name)
    assert (refused.value.code, refused.value.status) == ("OBS.0001", 400)


@pytest.mark.parametrize(
    "key",
    [
        "disk.qcow2",
        "linux/ubuntu/22.04.img",
        "a b/c",
        "镜像/系统盘.vhd",
        "x" * 1024,
        "a.b/..c/d..",
        "weird?#%&=+;:,'\"<>",
    ],
)
def test_relative_keys_are_accepted(key):
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../secret",
        "a/../../b",
        "a/./b",
        "a//b",
        "dir/",
        ".",
        "..",
        "a\\b",
        "..\\windows",
        "tab\there",
        "new\nline",
        "nul\x00byte",
        "bell\x07",
        "del\x7f",
        "c1\x85control",
        "line\u2028separator",
        "x" * 1025,
        "é" * 513,
        None,
    ],
)
def test_traversal_control_characters_and_overlong_keys_are_refused(key):
    with pytest.raises(ImsError) as refused:
        validate_key(key)
    assert refused.value.code == "OBS.0001"


def test_an_address_is_bucket_colon_key():
    assert parse_url("images:linux/disk.qcow2") == ("images", "linux/disk.qcow2")
    assert parse_url("images:a:b") == ("images", "a:b")  # the key may hold colons


@pytest.mark.parametrize("url", ["no-colon", ":key", "bucket:", "Bad:key", "bucket:/abs", "bucket:../x", ""])
def test_malformed_addresses_are_refused(url):
    with pytest.raises(ImsError) as refused:
        parse_url(url)
    assert refused.value.code == "OBS.0001"
