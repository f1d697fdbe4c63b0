"""Servers and disks of encrypted images: they keep the image's key and data key, an image of such a disk stays
encrypted with them, and an unusable key stops a server from being made."""

import pytest

from compute import services as compute
from images.models import Image
from images.services import imports
from kms import services as kms
from tests.compute.helpers import make_server
from tests.kms.conftest import imported, original_sha256
from tests.kms.test_encrypted_images import downloaded_sha256, refused

pytestmark = pytest.mark.usefixtures("own_var_dir")


def test_a_server_of_an_encrypted_image_keeps_its_key_and_the_image_of_the_server_stays_encrypted(admin, key, tmp_path):
    sealed = imported(admin, tmp_path, str(key.pk))
    server = make_server(admin, sealed)

    disk = server.system_disk
    assert (disk.cmk_id, disk.wrapped_data_key) == (str(key.pk), sealed.wrapped_data_key)
    job = imports.create_image(admin, name="of-the-server", instance_id=str(server.pk))
    made = Image.objects.get(pk=job.entities["image_id"])
    assert (made.cmk_id, made.wrapped_data_key) == (str(key.pk), sealed.wrapped_data_key)
    assert downloaded_sha256(admin, made) == original_sha256(tmp_path)
    refused(lambda: compute.create_checkpoint(admin, server_id=str(server.pk)), "BackupService.6120")


def test_a_disabled_key_stops_a_server_being_made_from_the_image_until_it_is_enabled(admin, key, tmp_path):
    sealed = imported(admin, tmp_path, str(key.pk))
    kms.disable_key(admin, key_id=str(key.pk))

    error = refused(lambda: make_server(admin, sealed), "KMS.0007")

    assert "images/alpha" in error.message and "Disabled" in error.message
    kms.enable_key(admin, key_id=str(key.pk))
    assert make_server(admin, sealed).system_disk.cmk_id == str(key.pk)
