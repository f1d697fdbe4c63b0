"""One storage per purpose and region: a local folder by default, an S3 bucket in S3 mode."""

from django.core.files.base import ContentFile

from obs.storage import storage_for


def test_local_storage_keeps_regions_apart(settings, tmp_path):
    settings.VAR_DIR, settings.STORAGE_BACKEND = tmp_path, "local"
    storage_for.cache_clear()
    north, east = storage_for("objects", "cn-north-4"), storage_for("objects", "cn-east-3")
    north.save("a/b.txt", ContentFile(b"north"))
    assert north.exists("a/b.txt") and not east.exists("a/b.txt")
    assert (tmp_path / "objects" / "cn-north-4" / "a" / "b.txt").read_bytes() == b"north"
    storage_for.cache_clear()


def test_s3_storage_writes_to_a_real_s3_endpoint(s3_storage):
    storage = storage_for("chunks", "cn-east-3")
    storage.save("ab/cd/chunk", ContentFile(b"x" * 1000))
    with storage.open("ab/cd/chunk") as handle:
        assert handle.read() == b"x" * 1000
    assert storage_for("chunks", "cn-north-4").exists("ab/cd/chunk") is False
