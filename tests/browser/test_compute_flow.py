"""Apply for a server from an image's page, image the server, and the ISO flow: ISO image → temporary server →
the installed system written onto its disk → a system disk image, all through the console."""

import io

import pytest
from playwright.sync_api import expect

from compute.models import Server
from images.choices import VirtualEnvType
from images.models import Image
from obs import services as obs
from tests.browser.console import sign_in
from tests.compute.helpers import content_image
from tests.factories import actor, project_of

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("own_var_dir")]


def test_apply_for_server_and_create_an_image_of_it(page, tenant_a, tmp_path):
    image = content_image(project_of(tenant_a.account), tmp_path, name="walk-base")
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{image.pk}")
    page.get_by_test_id("action-apply-server").click()
    expect(page.get_by_test_id("compute-label")).to_contain_text("servers are simulated, disks are real")
    page.get_by_test_id("server-name").fill("walk-web")
    page.get_by_test_id("server-data-size").fill("20")
    page.get_by_test_id("server-submit").click()
    expect(page.get_by_test_id("server-title")).to_contain_text("walk-web")
    expect(page.get_by_test_id("disk-row")).to_have_count(2)
    page.get_by_test_id("server-image-name").fill("walk-image")
    page.locator("input[name=data_disk]").check()
    page.get_by_test_id("server-image-submit").click()
    expect(page.get_by_test_id("image-name")).to_contain_text("walk-image")
    assert Image.objects.filter(name__startswith="walk-image-").count() == 1  # the data disk's image
    page.goto(f"/console/images/{image.pk}")
    expect(page.get_by_test_id("usage-server")).to_contain_text("walk-web")


def test_the_iso_flow(page, tenant_a, tmp_path):
    admin = actor(tenant_a.admin)
    iso = content_image(admin.project, tmp_path, name="walk-iso", virtual_env_type=VirtualEnvType.ISO_IMAGE)
    obs.create_bucket(admin, name="walk-installs")
    installed = b"an installed system " * 2048
    obs.put_object(admin, bucket="walk-installs", key="root.raw", stream=io.BytesIO(installed), size=len(installed))
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/compute/servers/create?image={iso.pk}")
    page.get_by_test_id("server-name").fill("walk-install")
    page.get_by_test_id("server-submit").click()
    expect(page.get_by_test_id("iso-steps")).to_be_visible()
    page.get_by_test_id("write-object").first.fill("walk-installs:root.raw")
    page.get_by_test_id("write-disk").first.click()
    expect(page.get_by_test_id("messages")).to_contain_text("written onto the disk")
    page.get_by_test_id("server-image-name").fill("walk-installed")
    page.get_by_test_id("server-image-submit").click()
    expect(page.get_by_test_id("image-name")).to_contain_text("walk-installed")
    server = Server.objects.get(name="walk-install")
    assert server.iso_image_id == iso.pk
