"""The image's dialogs: modify (typed changes for the update service), delete (naming the members), and errors
drawn beside the field they concern."""

import re

from django.urls import reverse

from audit.models import Trace, TraceResult
from images.choices import Architecture, FirmwareType, VirtualEnvType
from images.models import Image
from tests.factories import make_image, share

HTMX = {"HX-Request": "true"}


def modify_url(image) -> str:
    return reverse("images:image_modify", args=[image.pk])


def fields(image, **changes) -> dict:
    """The modify form as the dialog sends it unchanged, with `changes` typed over it."""
    data = {
        "name": image.name,
        "description": image.description,
        "os_version": image.os_version,
        "hw_firmware_type": image.hw_firmware_type,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "max_ram": image.max_ram or "",
    }
    if image.multiqueue:
        data["multiqueue"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def error_of(html: str, field: str) -> str:
    match = re.search(rf'data-testid="error-{field}">([^<]*)<', html)
    return match.group(1) if match else ""


def test_the_modify_dialog_shows_the_current_attributes(console_as, tenant_a):
    image = make_image(tenant_a.project, name="web", min_ram=1024, description="front end")

    html = console_as(tenant_a.admin).get(modify_url(image), headers=HTMX).content.decode()

    assert 'data-testid="modify-form"' in html and "<html" not in html  # a partial for the page's <dialog>
    for field in ("name", "description", "os_version", "hw_firmware_type", "min_disk", "min_ram", "max_ram"):
        assert f'name="{field}"' in html, field
    assert 'name="multiqueue"' in html and 'name="sriov"' in html
    assert 'value="web"' in html and 'value="1024"' in html and "front end" in html


def test_modify_sends_typed_changes_to_the_update_service(console_as, tenant_a):
    image = make_image(tenant_a.project, name="web", virtual_size=10 * 1024**3)
    post = fields(
        image,
        name="web-2",
        min_ram="2048",
        max_ram="8192",
        multiqueue="on",
        sriov="on",
        hw_firmware_type=FirmwareType.UEFI,
        description="modified",
    )

    response = console_as(tenant_a.admin).post(modify_url(image), post, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == reverse("images:image_detail", args=[image.pk])
    image.refresh_from_db()
    assert (image.name, image.min_ram, image.max_ram, image.description) == ("web-2", 2048, 8192, "modified")
    assert image.multiqueue and image.support_flags["kvm_hi1822_hisriov"] is True
    assert image.hw_firmware_type == FirmwareType.UEFI
    trace = Trace.objects.get(event_name="updateImage", operation="update_image")
    assert trace.result == TraceResult.SUCCESS and trace.via == "console"
    changed = str(trace.summary["changes"])  # the recorder keeps it as text
    assert "/__os_version" not in changed and "/min_disk" not in changed  # only what was changed


def test_emptying_the_maximum_memory_removes_it(console_as, tenant_a):
    image = make_image(tenant_a.project, max_ram=4096, description="old")

    console_as(tenant_a.admin).post(modify_url(image), fields(image, max_ram="", description=""), headers=HTMX)

    image.refresh_from_db()
    assert image.max_ram is None and image.description == ""


def test_a_refusal_of_the_service_is_shown_beside_its_field(console_as, tenant_a):
    image = make_image(tenant_a.project, min_ram=0)

    html = (
        console_as(tenant_a.admin)
        .post(modify_url(image), fields(image, min_ram="4096", max_ram="1024"), headers=HTMX)
        .content.decode()
    )

    assert error_of(html, "max_ram") == "must not be less than min_ram."
    assert Image.objects.get(pk=image.pk).min_ram == 0  # nothing changed


def test_an_arm_image_refuses_bios_beside_the_boot_mode(console_as, tenant_a):
    image = make_image(tenant_a.project, architecture=Architecture.ARM, hw_firmware_type=FirmwareType.UEFI)

    html = (
        console_as(tenant_a.admin)
        .post(modify_url(image), fields(image, hw_firmware_type=FirmwareType.BIOS), headers=HTMX)
        .content.decode()
    )

    assert "UEFI" in error_of(html, "hw_firmware_type")


def test_a_bad_name_is_refused_beside_the_name_without_the_api_prefix(console_as, tenant_a):
    image = make_image(tenant_a.project, name="web")

    html = console_as(tenant_a.admin).post(modify_url(image), fields(image, name=" <bad>"), headers=HTMX)
    html = html.content.decode()

    assert error_of(html, "name").startswith("1 to 128 characters")
    assert 'aria-invalid="true"' in html


def test_submitting_no_change_says_so(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = console_as(tenant_a.admin).post(modify_url(image), fields(image), headers=HTMX).content.decode()

    assert "Change at least one attribute" in html


def test_a_reader_sees_why_the_dialog_is_disabled_and_cannot_modify(console_as, tenant_a):
    image = make_image(tenant_a.project, name="web")
    client = console_as(tenant_a.reader)

    html = client.get(modify_url(image), headers=HTMX).content.decode()
    assert 'data-testid="dialog-refusal"' in html and "ims:images:update" in html
    assert "<fieldset disabled>" in html

    client.post(modify_url(image), fields(image, name="renamed"), headers=HTMX)
    assert Image.objects.get(pk=image.pk).name == "web"


def test_a_data_disk_image_offers_no_os_version_or_boot_mode(console_as, tenant_a):
    image = make_image(tenant_a.project, virtual_env_type=VirtualEnvType.DATA_IMAGE, os_version="")

    html = console_as(tenant_a.admin).get(modify_url(image), headers=HTMX).content.decode()

    assert 'name="os_version"' not in html and 'name="hw_firmware_type"' not in html


def test_without_script_the_dialog_opens_as_a_page_and_redirects(console_as, tenant_a):
    image = make_image(tenant_a.project, name="web")
    client = console_as(tenant_a.admin)

    page = client.get(modify_url(image))
    assert page.status_code == 200 and 'data-testid="dialog-page"' in page.content.decode()
    refused = client.post(modify_url(image), fields(image, min_ram="-1"))
    assert refused.status_code == 400 and error_of(refused.content.decode(), "min_ram")
    done = client.post(modify_url(image), fields(image, name="web-2"))
    assert done.status_code == 302 and Image.objects.get(pk=image.pk).name == "web-2"


def test_another_tenants_image_has_no_modify_dialog(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project)
    client = console_as(tenant_b.admin)

    assert client.get(modify_url(image)).status_code == 404
    assert client.post(modify_url(image), {"name": "x"}).status_code == 404


def test_the_delete_dialog_names_the_projects_the_image_is_shared_with(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, name="shared-one")
    share(image, tenant_b.project, status="accepted")

    html = (
        console_as(tenant_a.admin).get(reverse("images:image_delete", args=[image.pk]), headers=HTMX).content.decode()
    )

    assert 'data-testid="delete-shared-warning"' in html and str(tenant_b.project.id) in html
    assert "shared with 1 project" in html


def test_the_delete_dialog_of_an_unshared_image_has_no_warning(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = (
        console_as(tenant_a.admin).get(reverse("images:image_delete", args=[image.pk]), headers=HTMX).content.decode()
    )

    assert 'data-testid="delete-form"' in html and "delete-shared-warning" not in html


def test_deleting_from_the_dialog_goes_to_the_private_list(console_as, tenant_a):
    image = make_image(tenant_a.project)

    response = console_as(tenant_a.admin).post(reverse("images:image_delete", args=[image.pk]), headers=HTMX)

    assert response["HX-Redirect"] == reverse("images:image_list") + "?imagetype=private"
    assert Image.objects.get(pk=image.pk).status == "deleted"


def test_a_copy_refused_in_the_dialog_is_shown_beside_the_name_and_traced(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = (
        console_as(tenant_a.admin)
        .post(reverse("images:image_copy", args=[image.pk]), {"name": "<bad>"}, headers=HTMX)
        .content.decode()
    )

    assert error_of(html, "name").startswith("1 to 128 characters")
    assert Trace.objects.filter(event_name="copyImage", result=TraceResult.FAILURE).exists()


def test_a_data_disk_image_detail_shows_no_system_disk_fields(console_as, tenant_a):
    image = make_image(tenant_a.project, virtual_env_type=VirtualEnvType.DATA_IMAGE, min_disk=100)

    html = console_as(tenant_a.admin).get(reverse("images:image_detail", args=[image.pk])).content.decode()

    assert "Minimum system disk" not in html and "Boot mode" not in html and "Platform" not in html
    assert 'data-testid="data-disk-size">100<' in html


def test_the_detail_page_has_no_inline_handlers(console_as, tenant_a):
    image = make_image(tenant_a.project)
    client = console_as(tenant_a.admin)

    html = client.get(reverse("images:image_detail", args=[image.pk])).content.decode()
    bar = client.get(reverse("images:image_actions", args=[image.pk])).content.decode()

    assert 'id="image-dialog"' in html and "console/dialogs.js" in html
    assert "onclick" not in bar and "onsubmit" not in bar and "confirm(" not in bar


def test_sharing_from_the_dialog_adds_the_member(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project)

    response = console_as(tenant_a.admin).post(
        reverse("images:image_share_dialog", args=[image.pk]), {"project_id": tenant_b.project.id}, headers=HTMX
    )

    assert response["HX-Redirect"].endswith("#image-members")
    assert image.members.filter(project=tenant_b.project, status="pending").exists()


def test_a_refused_share_is_shown_beside_the_project_id(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = (
        console_as(tenant_a.admin)
        .post(reverse("images:image_share_dialog", args=[image.pk]), {"project_id": "no-such-project"}, headers=HTMX)
        .content.decode()
    )

    assert error_of(html, "project_id") and not image.members.exists()


def test_an_encrypted_image_share_dialog_says_why_it_cannot_be_shared(console_as, tenant_a):
    image = make_image(tenant_a.project, cmk_id="key-1")

    html = (
        console_as(tenant_a.admin)
        .get(reverse("images:image_share_dialog", args=[image.pk]), headers=HTMX)
        .content.decode()
    )

    assert "Images encrypted with the default key cannot be shared." in html and "<fieldset disabled>" in html


def test_adding_a_tag_from_the_dialog(console_as, tenant_a):
    image = make_image(tenant_a.project)
    client = console_as(tenant_a.admin)

    response = client.post(
        reverse("images:image_tag_dialog", args=[image.pk]), {"key": "env", "value": "prod"}, headers=HTMX
    )
    assert response["HX-Redirect"].endswith("#tag-editor")
    assert image.tags.get(key="env").value == "prod"

    html = client.post(
        reverse("images:image_tag_dialog", args=[image.pk]), {"key": "bad=key", "value": ""}, headers=HTMX
    ).content.decode()
    assert error_of(html, "key") and image.tags.count() == 1
