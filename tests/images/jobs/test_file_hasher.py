"""The import hashes the uploaded file on a thread beside the conversion: whatever stops that thread must fail the
import, never leave the hashes of part of the file to be recorded as the file's."""

import hashlib

import pytest

from core.errors import ImsError
from images.jobs.imports import FileHasher, _joined


class BrokenHash:
    def update(self, piece):
        raise ValueError("the hash gave up")


def test_the_file_hashes_are_those_of_the_whole_file(tmp_path):
    path = tmp_path / "disk.qcow2"
    path.write_bytes(b"x" * 100_000)
    hasher = FileHasher(path)
    hasher.start()

    assert _joined(hasher) == (hashlib.md5(b"x" * 100_000).hexdigest(), hashlib.sha256(b"x" * 100_000).hexdigest())


def test_a_file_that_cannot_be_read_is_the_users_error(tmp_path):
    hasher = FileHasher(tmp_path / "gone.qcow2")
    hasher.start()

    with pytest.raises(ImsError) as raised:
        _joined(hasher)
    assert raised.value.code == "IMG.0711"


def test_any_other_failure_of_the_hashing_is_raised_in_the_caller(tmp_path):
    path = tmp_path / "disk.qcow2"
    path.write_bytes(b"x" * 100_000)
    hasher = FileHasher(path)
    hasher.sha256 = BrokenHash()
    hasher.start()

    with pytest.raises(ValueError, match="the hash gave up"):
        _joined(hasher)
