"""What the image import calls: `open_object_for_reading(actor, region_id, "bucket:key")` and
`local_path_or_none(obj)`, with clear errors."""

import io

import pytest

from core.errors import ImsError
from obs import services
from tests import factories


@pytest.fixture
def stored(admin_a, bucket_a):
    return services.put_object(
        admin_a, bucket=bucket_a.name, key="images/disk.qcow2", stream=io.BytesIO(b"QFI\xfb rest"), size=9
    )


def test_an_object_is_opened_by_its_address_and_read_in_place(local_mode, admin_a, stored):
    stream, obj = services.open_object_for_reading(admin_a, "cn-north-4", "alpha-bucket:images/disk.qcow2")
    with stream:
        assert stream.read() == b"QFI\xfb rest"
    assert obj == stored and obj.url == "alpha-bucket:images/disk.qcow2"
    path = services.local_path_or_none(obj)
    assert path is not None and path.read_bytes() == b"QFI\xfb rest"


@pytest.mark.parametrize(
    "url, code, status",
    [
        ("alpha-bucket", "OBS.0001", 400),
        ("alpha-bucket:../../etc/passwd", "OBS.0001", 400),
        ("Alpha:key", "OBS.0001", 400),
        ("alpha-bucket:missing.qcow2", "OBS.0404", 404),
        ("no-such-bucket:images/disk.qcow2", "OBS.0404", 404),
    ],
)
def test_bad_or_unknown_addresses_fail_clearly(admin_a, stored, url, code, status):
    with pytest.raises(ImsError) as failed:
        services.open_object_for_reading(admin_a, "cn-north-4", url)
    assert (failed.value.code, failed.value.status) == (code, status)
    assert failed.value.message


def test_another_accounts_object_is_not_found(tenant_b, stored):
    with pytest.raises(ImsError) as failed:
        services.open_object_for_reading(
            factories.actor(tenant_b.admin), "cn-north-4", "alpha-bucket:images/disk.qcow2"
        )
    assert failed.value.status == 404


def test_the_region_named_is_the_one_searched(tenant_a, stored):
    east_actor = factories.actor(tenant_a.admin, "cn-east-3")
    stream, _obj = services.open_object_for_reading(east_actor, "cn-north-4", "alpha-bucket:images/disk.qcow2")
    stream.close()
    with pytest.raises(ImsError) as failed:
        services.open_object_for_reading(factories.actor(tenant_a.admin), "cn-east-3", "alpha-bucket:images/disk.qcow2")
    assert failed.value.status == 404
    with pytest.raises(ImsError):
        services.open_object_for_reading(east_actor, "xx-nowhere-1", "alpha-bucket:images/disk.qcow2")


def test_reading_needs_the_get_permission(tenant_a, stored):
    with pytest.raises(ImsError) as failed:
        services.open_object_for_reading(
            factories.actor(tenant_a.reader), "cn-north-4", "alpha-bucket:images/disk.qcow2"
        )
    assert failed.value.status == 403


def test_a_system_actor_reads_for_a_job(tenant_a, stored):
    from iam.actors import system_actor

    stream, obj = services.open_object_for_reading(
        system_actor(tenant_a.project), "cn-north-4", "alpha-bucket:images/disk.qcow2"
    )
    stream.close()
    assert obj.size == 9
