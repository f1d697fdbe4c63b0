"""The compute pages: the plain label, apply for server from an image, image of a server, where-used panels."""

import pytest
from django.urls import reverse

from compute.models import Server
from images.models import Image
from tests import factories
from tests.compute.helpers import content_image, make_server

pytestmark = pytest.mark.usefixtures("own_var_dir")


@pytest.fixture
def browser(client, tenant_a):
    client.force_login(tenant_a.admin)
    return client


def test_apply_for_server_then_image_it_from_the_console(browser, tenant_a, tmp_path):
    image = content_image(factories.project_of(tenant_a.account), tmp_path)
    detail = browser.get(reverse("images:image_actions", args=[image.pk]))
    assert f"/console/compute/servers/create?image={image.pk}" in detail.content.decode()
    form = browser.get(reverse("compute:server_create") + f"?image={image.pk}")
    page = form.content.decode()
    assert "local compute: servers are simulated, disks are real" in page and "selected" in page
    created = browser.post(
        reverse("compute:server_create"),
        {"image": str(image.pk), "name": "console-web", "flavor": "s6.large.2", "data_size": "20"},
    )
    server = Server.objects.get(name="console-web")
    assert created.status_code == 302 and created["Location"] == reverse("compute:server_detail", args=[server.pk])
    assert "console-web" in browser.get(created["Location"]).content.decode()
    made = browser.post(reverse("compute:server_action", args=[server.pk]), {"action": "image", "name": "from-console"})
    new = Image.objects.get(name="from-console")
    assert made["Location"] == reverse("images:image_detail", args=[new.pk]) and new.root_origin == "instance"
    usage = browser.get(reverse("compute:image_usage", args=[image.pk]) + "?delete=1").content.decode()
    assert "console-web" in usage and "does not touch them" in usage


def test_the_list_pages_and_a_refusal_shown_as_a_message(browser, tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    image = content_image(actor.project, tmp_path, min_ram=8192)
    for name in ("compute:server_list", "compute:disk_list", "compute:backup_list"):
        assert browser.get(reverse(name)).status_code == 200
    refused = browser.post(
        reverse("compute:server_create"), {"image": str(image.pk), "name": "small", "flavor": "s6.small.1"}, follow=True
    )
    assert "the image needs 8192" in refused.content.decode() and not Server.objects.exists()


def test_another_tenant_sees_no_server_made_from_a_public_image(browser, tenant_a, tenant_b, tmp_path):
    image = content_image(factories.project_of(tenant_a.account), tmp_path, image_type="gold")
    make_server(factories.actor(tenant_b.admin), image, name="bravo-secret")
    usage = browser.get(reverse("compute:image_usage", args=[image.pk])).content.decode()
    assert "bravo-secret" not in usage


def test_create_private_image_offers_each_source_with_its_own_fields(browser, tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    server = make_server(actor, content_image(actor.project, tmp_path), data_volumes=[{"size": 10}])
    wizard = browser.get(reverse("images:image_create")).content.decode()
    assert 'data-testid="create-sources"' in wizard and "?source=whole" in wizard
    whole = browser.get(reverse("compute:image_create") + "?source=whole").content.decode()
    assert 'data-testid="source-whole-backup"' in whole and 'data-testid="source-volume"' not in whole
    made = browser.post(
        reverse("compute:image_create"), {"source": "volume", "volume_id": str(server.data_disks[0].pk), "name": "d"}
    )
    assert made.status_code == 302 and Image.objects.get(name="d").virtual_env_type == "DataImage"
    refused = browser.post(reverse("compute:image_create"), {"source": "server", "instance_id": "x", "name": "s"})
    assert refused.status_code == 302 and not Image.objects.filter(name="s").exists()


def test_public_and_shared_rows_offer_apply_for_server_and_data_disk_rows_create_disk(
    browser, tenant_a, tenant_b, tmp_path
):
    public = content_image(factories.project_of(tenant_b.account), tmp_path, name="pub-base", image_type="gold")
    data = content_image(
        factories.project_of(tenant_b.account), tmp_path, name="shared-data", seed=2, virtual_env_type="DataImage"
    )
    factories.share(data, factories.project_of(tenant_a.account), status="accepted")

    gold = browser.get(reverse("images:image_list") + "?imagetype=gold&name=pub-base").content.decode()
    shared = browser.get(reverse("images:image_list") + "?imagetype=shared").content.decode()

    assert f"/console/compute/servers/create?image={public.pk}" in gold and 'data-testid="row-apply-server"' in gold
    assert 'data-testid="row-create-disk"' in shared and f"?image={data.pk}" in shared
