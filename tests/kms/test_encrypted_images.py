"""Encrypted images end to end: import with a key, nothing of the image in clear in the data folder, download,
copies that decrypt, re-key or keep the key, the product's refusals, and what a disabled key blocks."""

import hashlib
import os

import pytest

from audit.models import Trace
from core.errors import ImsError
from iam.actors import system_actor
from images.blobs.models import Chunk, ManifestEntry
from images.choices import ImageStatus
from images.models import Image, JobStatus
from images.services import copy, export, imports, members
from kms import services as kms
from obs.services import delete_object
from tests import factories
from tests.images.imports.helpers import MiB
from tests.images.manage.helpers_copy import finished
from tests.kms.conftest import imported, original_sha256


def refused(call, code: str) -> ImsError:
    with pytest.raises(ImsError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    return raised.value


def downloaded_sha256(actor, image) -> str:
    digest = hashlib.sha256()
    _image, pieces = imports.glance_download_image_file(actor, image_id=str(image.pk))
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


def chunk_ids(image) -> set[int]:
    return set(ManifestEntry.objects.filter(manifest_id=image.manifest_id).values_list("chunk_id", flat=True))


# ---- nothing in clear -----------------------------------------------------------------------------------------


def samples(raw_path, count: int = 16) -> list[bytes]:
    """64-byte pieces of the random areas of the pattern disk (5 MiB on, and its last MiB)."""
    data = raw_path.read_bytes()
    starts = [5 * MiB + 4096 * i for i in range(count // 2)] + [len(data) - MiB + 8192 * i for i in range(count // 2)]
    return [data[start : start + 64] for start in starts]


def plaintext_found(folder, needles: list[bytes]) -> list[str]:
    """Files under `folder` holding any of `needles` (read whole: the test's files are small)."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                content = handle.read()
            if any(needle in content for needle in needles):
                found.append(os.path.relpath(path, folder))
    return found


@pytest.mark.parametrize("encrypted", [True, False], ids=["with-key", "control-without-key"])
def test_no_plaintext_of_an_encrypted_image_is_left_in_the_data_folder(own_var_dir, local_mode, admin, key, encrypted):
    image = imported(admin, own_var_dir / "..", str(key.pk) if encrypted else None, seed=11)
    # The tenant's own upload is its file, not the image: it goes before the scan.
    delete_object(system_actor(admin.project), bucket="images", key="sealed-11.raw")
    found = plaintext_found(own_var_dir, samples(own_var_dir / ".." / "sealed-11.raw"))

    if encrypted:
        assert found == [] and image.cmk_id == str(key.pk)
        assert Chunk.objects.filter(pk__in=chunk_ids(image), sealed=False).count() == 0
    else:  # the control proves the scan finds plaintext where it is (zstd stores random bytes as they are)
        assert found and all(path.startswith("chunks") or "sha256" in path for path in found), found


def test_the_owner_downloads_the_original_bytes(admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    assert downloaded_sha256(admin, image) == original_sha256(tmp_path) == image.os_hash_value


def test_the_default_key_is_accepted_by_its_alias(admin, tmp_path):
    image = imported(admin, tmp_path, "ims/default")
    assert image.cmk_id == str(kms.list_keys(admin)[0].pk) and image.wrapped_data_key


def test_a_key_of_another_tenant_or_none_is_refused_before_anything_is_made(admin, tenant_b, tmp_path):
    other_key = kms.create_key(factories.actor(tenant_b.admin), alias="theirs")
    for cmk_id in (str(other_key.pk), "no-such-key"):
        refused(lambda c=cmk_id: imported(admin, tmp_path, c), "IMG.0001")
    assert not Image.objects.filter(owner=admin.project).exists()


def test_every_use_of_the_key_for_an_image_is_traced(admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    downloaded_sha256(admin, image)
    uses = Trace.objects.filter(event_name="useKeyForImage", resource_id=str(key.pk)).order_by("id")
    assert [(t.operation, t.summary["image_id"]) for t in uses] == [
        ("createImageByFile", str(image.pk)),  # the data key made
        ("createImageByFile", str(image.pk)),  # opened by the import job
        ("download", str(image.pk)),
    ]


# ---- copies -----------------------------------------------------------------------------------------------------


def copied(actor, image, **options) -> Image:
    job = finished(copy.copy_image_in_region(actor, image=image, name="copy", **options))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    return Image.objects.select_related("manifest").get(pk=job.entities["image_id"])


def test_a_copy_without_a_key_decrypts(admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    plain = copied(admin, image)

    assert plain.cmk_id == "" and plain.wrapped_data_key == ""
    assert not Chunk.objects.filter(pk__in=chunk_ids(plain), sealed=True).exists()
    assert downloaded_sha256(admin, plain) == original_sha256(tmp_path)


def test_a_copy_with_another_key_re_keys(admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    other = kms.create_key(admin, alias="images/other")
    rekeyed = copied(admin, image, cmk_id=str(other.pk))

    assert rekeyed.cmk_id == str(other.pk) and rekeyed.wrapped_data_key != image.wrapped_data_key
    assert chunk_ids(rekeyed).isdisjoint(chunk_ids(image))
    assert downloaded_sha256(admin, rekeyed) == original_sha256(tmp_path)
    assert Image.objects.get(pk=image.pk).cmk_id == str(key.pk)  # a key is never changed in place


def test_a_copy_with_the_same_key_shares_its_chunks_and_a_plain_image_can_be_encrypted(admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    same = copied(admin, image, cmk_id=str(key.pk))
    assert chunk_ids(same) == chunk_ids(image) and same.wrapped_data_key == image.wrapped_data_key

    plain = imported(admin, tmp_path, None, name="plain", seed=8)
    sealed = copied(admin, plain, cmk_id=str(key.pk))
    assert Chunk.objects.filter(pk__in=chunk_ids(sealed), sealed=False).count() == 0
    assert downloaded_sha256(admin, sealed) == original_sha256(tmp_path, name="plain", seed=8)


# ---- the product's refusals ---------------------------------------------------------------------------------------


@pytest.fixture
def sealed_image(admin, key, tmp_path):
    return imported(admin, tmp_path, str(key.pk))


def test_an_image_with_the_default_key_cannot_be_shared(admin, tenant_b, tmp_path):
    image = imported(admin, tmp_path, "ims/default")
    member = tenant_b.project.pk
    refused(lambda: members.batch_add_members(admin, images=[str(image.pk)], projects=[member]), "IMG.0602")
    refused(lambda: members.glance_add_image_member(admin, image=image, member_id=member), "IMG.0602")


def test_a_custom_key_is_shared_only_with_a_project_holding_a_grant(admin, key, sealed_image, tenant_b):
    member = tenant_b.project.pk
    error = refused(lambda: members.glance_add_image_member(admin, image=sealed_image, member_id=member), "IMG.0613")
    assert member in error.message and str(key.pk) in error.message
    refused(lambda: members.batch_add_members(admin, images=[str(sealed_image.pk)], projects=[member]), "IMG.0613")

    kms.create_grant(
        admin,
        key_id=str(key.pk),
        grantee_principal=member,
        grantee_principal_type="project",
        operations=["decrypt-datakey"],
    )
    assert members.glance_add_image_member(admin, image=sealed_image, member_id=member).project_id == member


def test_an_encrypted_image_is_not_copied_across_regions_published_or_quick_exported(admin, sealed_image):
    refused(lambda: copy.copy_image_cross_region(admin, image=sealed_image, name="far", region="cn-east-3"), "IMG.0905")
    from images.services.market import MarketProduct, publish_market_image

    refused(
        lambda: publish_market_image(
            system_actor(admin.project), image=sealed_image, product=MarketProduct("Vendor", "code")
        ),
        "IMG.0626",
    )
    refused(
        lambda: export.export_image(admin, image=sealed_image, bucket_url="images:out.raw", is_quick_export=True),
        "IMG.0915",
    )


def test_a_disabled_or_pending_deletion_key_blocks_download_export_and_copy_until_enabled(admin, key, sealed_image):
    blocked = {
        "download": lambda: downloaded_sha256(admin, sealed_image),
        "export": lambda: export.export_image(
            admin, image=sealed_image, bucket_url="images:out.qcow2", file_format="qcow2"
        ),
        "copy": lambda: copy.copy_image_in_region(admin, image=sealed_image, name="c"),
    }
    kms.disable_key(admin, key_id=str(key.pk))
    for call in blocked.values():
        error = refused(call, "KMS.0007")
        assert "images/alpha" in error.message and "Disabled" in error.message
    kms.delete_key(admin, key_id=str(key.pk), pending_days=7)
    assert "Pending deletion" in refused(blocked["copy"], "KMS.0007").message

    kms.cancel_key_deletion(admin, key_id=str(key.pk))
    kms.enable_key(admin, key_id=str(key.pk))
    assert downloaded_sha256(admin, sealed_image) == sealed_image.os_hash_value
    job = finished(blocked["export"]())
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert copied(admin, sealed_image).status == ImageStatus.ACTIVE


def test_a_copy_queued_before_the_key_was_disabled_fails_naming_the_key(admin, key, sealed_image):
    job = copy.copy_image_in_region(admin, image=sealed_image, name="late")
    kms.disable_key(admin, key_id=str(key.pk))
    job = finished(job)
    assert job.status == JobStatus.FAIL and job.error_code == "KMS.0007"
