"""Servers from images and images from servers: no chunk bytes written, the same bytes read back, the rules."""

import pytest

from compute import services
from compute.models import Disk, ServerStatus
from core.errors import ImsError
from images.blobs.models import Chunk
from images.blobs.store import iter_raw_disk
from images.choices import VirtualEnvType
from images.services import imports
from tests import factories
from tests.compute.helpers import content_image, disk_sha256, make_server

pytestmark = pytest.mark.usefixtures("own_var_dir")


@pytest.fixture
def actor(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def image(actor, tmp_path):
    return content_image(actor.project, tmp_path)


def test_a_server_from_an_image_copies_no_bytes_and_reads_the_images_bytes(actor, image):
    chunks_before = Chunk.objects.count()
    server = make_server(actor, image, data_volumes=[{"size": 20}])
    assert server.status == ServerStatus.ACTIVE and Chunk.objects.count() == chunks_before
    system, [data] = server.system_disk, server.data_disks
    assert (system.size, system.device, data.size, data.device) == (40, "/dev/vda", 20, "/dev/vdb")
    assert system.manifest_id != image.manifest_id and disk_sha256(system.manifest) == disk_sha256(image.manifest)
    assert system.image_ref == str(image.pk)


def test_images_of_a_server_round_trip_to_a_new_server_with_the_same_bytes(actor, image, tmp_path):
    data_image = content_image(actor.project, tmp_path, name="data", seed=9, virtual_env_type=VirtualEnvType.DATA_IMAGE)
    server = make_server(actor, image, data_volumes=[{"size": 40, "data_image_id": str(data_image.pk)}])
    [data] = server.data_disks
    job = imports.create_image(
        actor,
        name="from-server",
        instance_id=str(server.pk),
        data_images=[{"name": "from-data", "volume_id": str(data.pk)}],
    )
    assert job.status == "SUCCESS" and len(job.entities["results"]) == 2
    made = factories.Image.objects.get(pk=job.entities["image_id"])
    assert (made.root_origin, made.min_disk, made.os_version) == ("instance", 40, image.os_version)
    second = make_server(actor, made, name="web-2")
    assert disk_sha256(second.system_disk.manifest) == disk_sha256(image.manifest)
    data_made = factories.Image.objects.get(pk=job.entities["results"][1]["image_id"])
    assert data_made.virtual_env_type == VirtualEnvType.DATA_IMAGE
    assert disk_sha256(data_made.manifest) == disk_sha256(data_image.manifest)


def test_a_whole_machine_image_restores_every_disk_and_is_shareable(actor, image):
    server = make_server(actor, image, data_volumes=[{"size": 20}, {"size": 30}])
    job = imports.create_whole_image(actor, name="whole", instance_id=str(server.pk))
    whole = factories.Image.objects.get(pk=job.entities["image_id"])
    assert whole.backup_id and whole.whole_disks.count() == 2
    from images.rules import copy_in_region_refusal, export_refusal, member_limit, share_refusal

    assert share_refusal(whole) is None and member_limit(whole) == 10
    assert copy_in_region_refusal(whole).code == export_refusal(whole).code == "IMG.0902"
    restored = make_server(actor, whole, name="restored")
    assert sorted(disk.size for disk in restored.data_disks) == [20, 30]


def test_a_whole_machine_image_from_a_cbr_backup(actor, image):
    server = make_server(actor, image)
    backup = services.create_checkpoint(actor, server_id=str(server.pk), name="nightly")
    job = imports.create_whole_image(
        actor, name="from-backup", backup_id=str(backup.pk), whole_image_type="CBR", vault_id=str(backup.vault_id)
    )
    whole = factories.Image.objects.get(pk=job.entities["image_id"])
    assert whole.data_origin == f"CBR,{backup.pk}" and whole.backup_id == str(backup.pk)
    with pytest.raises(ImsError) as wrong_vault:
        imports.create_whole_image(
            actor, name="x", backup_id=str(backup.pk), whole_image_type="CBR", vault_id="00000000-0000-0000-0000-0"
        )
    assert wrong_vault.value.code == "IMG.0136"
    with pytest.raises(ImsError) as csbs:
        imports.create_whole_image(actor, name="x", backup_id=str(backup.pk), whole_image_type="CSBS", vault_id="v")
    assert csbs.value.code == "IMG.0133"


@pytest.mark.parametrize(
    ("image_fields", "flavor", "code"),
    [
        ({"min_ram": 8192}, "s6.large.2", "Ecs.0033"),
        ({"max_ram": 2048}, "s6.large.2", "Ecs.0033"),
        ({"os_bit": 32}, "s6.xlarge.2", "Ecs.0034"),
        ({}, "kc1.large.2", "Ecs.0032"),
        ({"min_disk": 100}, "s6.large.2", "Ecs.0035"),  # with a 50 GB system disk asked for
        ({"virtual_env_type": VirtualEnvType.DATA_IMAGE}, "s6.large.2", "Ecs.0031"),
        ({"offline": True}, "s6.large.2", "Ecs.0030"),
        ({}, "no.such.flavor", "Ecs.0023"),
    ],
)
def test_servers_the_image_does_not_allow_are_refused(actor, image, image_fields, flavor, code):
    factories.Image.objects.filter(pk=image.pk).update(**image_fields)
    image.refresh_from_db()
    with pytest.raises(ImsError) as refused:
        make_server(actor, image, flavor=flavor, root_volume_size=50 if image.min_disk == 100 else None)
    assert refused.value.code == code


def test_frozen_deleted_and_oversized_servers_cannot_be_imaged(actor, image):
    server = make_server(actor, image)
    server.frozen = True
    server.save()
    with pytest.raises(ImsError) as frozen:
        imports.create_image(actor, name="x", instance_id=str(server.pk))
    assert frozen.value.code == "Ecs.0040"
    server.frozen = False
    server.save()
    Disk.objects.filter(pk=server.system_disk.pk).update(size=1025)
    with pytest.raises(ImsError) as too_big:
        imports.create_image(actor, name="x", instance_id=str(server.pk))
    assert too_big.value.code == "IMG.0132"
    services.delete_servers(actor, server_ids=[str(server.pk)])
    with pytest.raises(ImsError) as gone:
        imports.create_image(actor, name="x", instance_id=str(server.pk))
    assert gone.value.status == 404


def test_start_stop_attach_detach_and_delete(actor, image):
    server = make_server(actor, image)
    services.batch_stop_servers(actor, server_ids=[str(server.pk)])
    assert services.show_server(actor, server_id=str(server.pk)).status == ServerStatus.SHUTOFF
    services.batch_start_servers(actor, server_ids=[str(server.pk)])
    disk = services.create_volume(actor, name="extra", size=10)
    services.attach_server_volume(actor, server_id=str(server.pk), volume_id=str(disk.pk))
    assert Disk.objects.get(pk=disk.pk).device == "/dev/vdb"
    with pytest.raises(ImsError) as system:
        services.detach_server_volume(actor, server_id=str(server.pk), volume_id=str(server.system_disk.pk))
    assert system.value.code == "Ecs.0203"
    services.delete_servers(actor, server_ids=[str(server.pk)], delete_volume=False)
    assert Disk.objects.get(pk=disk.pk).status == "available"  # data disks stay unless asked
    assert not Disk.objects.filter(server=server, boot_index=0).exists()


def test_another_tenants_server_is_not_found(actor, image, tenant_b):
    server = make_server(actor, image)
    with pytest.raises(ImsError) as missing:
        services.show_server(factories.actor(tenant_b.admin), server_id=str(server.pk))
    assert missing.value.status == 404


def test_the_iso_flow_installs_onto_a_blank_disk_and_images_it(actor, tmp_path):
    import io

    from obs import services as obs

    iso = content_image(actor.project, tmp_path, name="installer", virtual_env_type=VirtualEnvType.ISO_IMAGE)
    server = make_server(actor, iso, name="install", root_volume_size=40)
    system = server.system_disk
    assert server.iso_image_id == iso.pk and system.manifest.entries.count() == 0  # blank: the ISO is not copied
    installed = b"installed system " * 4096
    obs.create_bucket(actor, name="installs")
    obs.put_object(actor, bucket="installs", key="root.raw", stream=io.BytesIO(installed), size=len(installed))
    services.write_volume(actor, disk_id=str(system.pk), object_url="installs:root.raw")
    job = imports.create_image(actor, name="installed", instance_id=str(server.pk))
    image = factories.Image.objects.get(pk=job.entities["image_id"])
    assert image.virtual_env_type == VirtualEnvType.FUSION_COMPUTE
    assert b"".join(iter_raw_disk(image.manifest)) == installed


def test_disks_from_data_images_and_their_refusals(actor, tmp_path):
    data_image = content_image(actor.project, tmp_path, name="data", virtual_env_type=VirtualEnvType.DATA_IMAGE)
    disk = services.create_volume(actor, name="restored", size=40, image_id=str(data_image.pk))
    assert disk_sha256(disk.manifest) == disk_sha256(data_image.manifest) and disk.image_ref == str(data_image.pk)
    for size, image_id, code in ((20, str(data_image.pk), "EVS.0032"), (5, "", "IMG.0001"), (40000, "", "IMG.0001")):
        with pytest.raises(ImsError) as refused:
            services.create_volume(actor, name="x", size=size, image_id=image_id)
        assert refused.value.code == code
    system_image = content_image(actor.project, tmp_path, name="sys", seed=3)
    with pytest.raises(ImsError) as wrong_kind:
        services.create_volume(actor, name="x", size=40, image_id=str(system_image.pk))
    assert wrong_kind.value.code == "EVS.0031"
    job = imports.create_image(actor, name="of-disk", volume_id=str(disk.pk))
    assert job.image.virtual_env_type == VirtualEnvType.DATA_IMAGE and job.image.min_disk == 40


def test_deleting_the_source_image_leaves_servers_and_disks_readable(actor, image):
    from datetime import timedelta

    from images.services.delete import glance_delete_image
    from images.services.storage import collect_unreferenced

    expected = disk_sha256(image.manifest)
    server = make_server(actor, image)
    glance_delete_image(actor, image=image)
    collect_unreferenced(manifest_grace=timedelta(0), chunk_grace=timedelta(0))
    assert disk_sha256(Disk.objects.get(pk=server.system_disk.pk).manifest) == expected


def test_a_deleted_whole_machine_image_frees_its_data_disks_but_not_the_servers_made_from_it(actor, image):
    from datetime import timedelta

    from compute.models import WholeImageDisk
    from images.services.delete import glance_delete_image
    from images.services.storage import collect_unreferenced

    source = make_server(actor, image, data_volumes=[{"size": 20}])
    job = imports.create_whole_image(actor, name="whole", instance_id=str(source.pk))
    whole = factories.Image.objects.get(pk=job.entities["image_id"])
    restored = make_server(actor, whole, name="restored")
    glance_delete_image(actor, image=whole)
    collect_unreferenced(manifest_grace=timedelta(0), chunk_grace=timedelta(0))
    assert not WholeImageDisk._base_manager.filter(image=whole).exists()
    assert all(disk.manifest_id for disk in Disk.objects.filter(server=restored))
    assert disk_sha256(restored.system_disk.manifest) == disk_sha256(image.manifest)
