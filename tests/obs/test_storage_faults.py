"""A full or read-only storage is told as such: object PUTs and parts answer 507 (IMG.0830, storage full) or 503
(IMG.0831, storage read-only) with a message naming the cause, nothing partial is kept, and reads keep working.

The faults are injected at the storage edge: the OSError a full disk (ENOSPC) or a read-only mount (EROFS,
EACCES) raises is raised by the copy into the object's staged file (`obs.object_store.copy_exactly`)."""

import errno

import pytest

from obs import object_store
from obs.models import StoredObject

# These faults are OS errors of local files; S3's are in tests/obs/test_s3_storage_faults.py.
pytestmark = pytest.mark.usefixtures("local_mode")

OBJECTS = "/v1/obs/buckets/alpha-bucket/objects"
FAULTS = [(errno.ENOSPC, 507, "IMG.0830", "full"), (errno.EROFS, 503, "IMG.0831", "read-only")]
FAULTS += [(errno.EACCES, 503, "IMG.0831", "read-only")]


@pytest.fixture
def failing_writes(monkeypatch):
    def inject(number: int):
        def copy(source, handle, size, *args):
            handle.write(b"partial")
            raise OSError(number, "injected")

        monkeypatch.setattr(object_store, "copy_exactly", copy)

    return inject


@pytest.mark.parametrize(("number", "status", "code", "cause"), FAULTS)
def test_a_put_on_a_failing_storage_names_the_cause(
    tenant_a, obs_client, bucket_a, objects_folder, failing_writes, number, status, code, cause
):
    api = obs_client(tenant_a.admin)
    assert api.put(f"{OBJECTS}/kept", b"stored before").status_code == 201
    failing_writes(number)
    response = api.put(f"{OBJECTS}/new", b"x" * 1000)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and cause in error["message"]
    assert list(StoredObject.objects.values_list("key", flat=True)) == ["kept"]
    files = [path.name for path in objects_folder.rglob("*") if path.is_file()]
    assert len(files) == 1  # the object stored before; no partial file
    assert b"".join(api.get(f"{OBJECTS}/kept").streaming_content) == b"stored before"  # reads keep working
