"""The private list's own controls: quota, image-type column and filter, per-row actions and batch actions."""

import re

from django.urls import reverse

from images.choices import ImageStatus, VirtualEnvType
from images.models import Image, ImageTag
from tests.factories import make_image, share

LIST = "/console/images/"
HTMX = {"HX-Request": "true"}
BATCH = "/console/images/batch"


def names(html: str) -> set[str]:
    return set(re.findall(r'data-testid="image-link">([^<]+)<', html))


def test_the_private_list_shows_the_quota(console_as, tenant_a, settings):
    settings.IMS_PRIVATE_IMAGE_QUOTA = 100
    for _ in range(3):
        make_image(tenant_a.project)

    html = console_as(tenant_a.admin).get(LIST, {"imagetype": "private"}).content.decode()

    assert re.search(r'data-testid="quota">3 / 100 images, 0 / \d+ tasks<', html)


def test_the_public_list_shows_no_quota(console_as, tenant_a):
    html = console_as(tenant_a.admin).get(LIST, {"imagetype": "gold"}).content.decode()

    assert 'data-testid="quota"' not in html


def test_the_image_type_column_and_filter_tell_data_disks_from_system_disks(console_as, tenant_a):
    make_image(tenant_a.project, name="sys-disk")
    make_image(tenant_a.project, name="data-disk", virtual_env_type=VirtualEnvType.DATA_IMAGE)
    make_image(tenant_a.project, name="install-iso", virtual_env_type=VirtualEnvType.ISO_IMAGE)
    make_image(tenant_a.project, name="whole-machine", backup_id="backup-1")
    client = console_as(tenant_a.admin)

    html = client.get(LIST, {"imagetype": "private"}).content.decode()
    assert "Data disk image" in html and "System disk image" in html and "Whole-machine image" in html

    def only(kind):
        return names(client.get(LIST, {"imagetype": "private", "kind": kind}).content.decode())

    assert only("data") == {"data-disk"}
    assert only("system") == {"sys-disk"}
    assert only("iso") == {"install-iso"}
    assert only("whole") == {"whole-machine"}


def test_an_unknown_image_type_filter_is_refused_plainly(console_as, tenant_a):
    response = console_as(tenant_a.admin).get(LIST, {"imagetype": "private", "kind": "floppy"})

    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_each_private_row_offers_modify_and_more_with_the_reason_when_refused(console_as, tenant_a):
    make_image(tenant_a.project, name="ready")
    make_image(tenant_a.project, name="busy", status=ImageStatus.SAVING)

    html = console_as(tenant_a.admin).get(LIST, {"imagetype": "private"}).content.decode()

    assert html.count('data-testid="row-more"') == 2
    assert re.search(r'<a href="/console/images/[0-9a-f-]+/modify" data-dialog data-testid="row-modify">', html)
    assert re.search(r'disabled title="Image [0-9a-f-]+ is saving: only an active image can be modified."', html)


def test_the_row_menu_asks_image_actions(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, protected=True)

    menu = console_as(tenant_a.admin).get(reverse("images:image_row_menu", args=[image.pk]), headers=HTMX)
    html = menu.content.decode()

    assert 'data-testid="action-delete" disabled title="The image is protected' in html
    for name in ("share", "copy", "copy-region", "export", "tags"):
        assert f'data-testid="action-{name}"' in html, name
    assert console_as(tenant_b.admin).get(reverse("images:image_row_menu", args=[image.pk])).status_code == 404


def test_batch_delete_asks_first_naming_shared_images(console_as, tenant_a, tenant_b):
    shared = make_image(tenant_a.project, name="shared-one")
    share(shared, tenant_b.project, status="accepted")
    alone = make_image(tenant_a.project, name="alone")

    html = (
        console_as(tenant_a.admin)
        .post(BATCH, {"action": "delete", "image_id": [shared.pk, alone.pk]}, headers=HTMX)
        .content.decode()
    )

    assert "Delete 2 images?" in html and str(tenant_b.project.id) in html
    assert Image.objects.filter(status="active", pk__in=[shared.pk, alone.pk]).count() == 2  # nothing yet


def test_batch_delete_reports_each_row(console_as, tenant_a):
    deletable = make_image(tenant_a.project, name="goes")
    protected = make_image(tenant_a.project, name="stays", protected=True)

    html = (
        console_as(tenant_a.admin)
        .post(BATCH, {"action": "delete", "confirm": "1", "image_id": [deletable.pk, protected.pk]}, headers=HTMX)
        .content.decode()
    )

    assert Image.objects.get(pk=deletable.pk).status == "deleted"
    assert Image.objects.get(pk=protected.pk).status == "active"
    assert f'data-image-id="{deletable.pk}" data-ok="true"' in html
    assert f'data-image-id="{protected.pk}" data-ok="false"' in html and "The image is protected" in html


def test_batch_delete_skips_another_tenants_image(console_as, tenant_a, tenant_b):
    theirs = make_image(tenant_b.project, name="theirs")

    html = (
        console_as(tenant_a.admin)
        .post(BATCH, {"action": "delete", "confirm": "1", "image_id": [theirs.pk]}, headers=HTMX)
        .content.decode()
    )

    assert Image.objects.get(pk=theirs.pk).status == "active"
    assert "Choose at least one of your images" in html


def test_batch_tag_adds_the_tag_to_each_image(console_as, tenant_a):
    first, second = make_image(tenant_a.project), make_image(tenant_a.project)

    html = (
        console_as(tenant_a.admin)
        .post(
            BATCH,
            {"action": "tag", "confirm": "1", "image_id": [first.pk, second.pk], "key": "env", "value": "prod"},
            headers=HTMX,
        )
        .content.decode()
    )

    assert html.count('data-ok="true"') == 2
    assert ImageTag.objects.filter(key="env", value="prod", image__in=[first, second]).count() == 2


def test_batch_tag_refuses_a_bad_key_beside_the_key(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = (
        console_as(tenant_a.admin)
        .post(
            BATCH,
            {"action": "tag", "confirm": "1", "image_id": [image.pk], "key": "bad key<", "value": ""},
            headers=HTMX,
        )
        .content.decode()
    )

    assert 'data-testid="error-key"' in html and not ImageTag.objects.filter(image=image).exists()


def test_a_reader_cannot_batch_delete(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = (
        console_as(tenant_a.reader)
        .post(BATCH, {"action": "delete", "confirm": "1", "image_id": [image.pk]}, headers=HTMX)
        .content.decode()
    )

    assert 'data-ok="false"' in html and Image.objects.get(pk=image.pk).status == "active"


def test_the_shared_tab_shows_each_images_share_status(console_as, tenant_a, tenant_b):
    share(make_image(tenant_a.project, name="waiting"), tenant_b.project, status="pending")
    share(make_image(tenant_a.project, name="taken"), tenant_b.project, status="accepted")

    html = console_as(tenant_b.admin).get(LIST, {"imagetype": "shared"}).content.decode()

    statuses = re.findall(r'data-testid="image-link">([^<]+)<.*?data-testid="member-status">.*?>(\w+)<', html, re.S)
    assert dict(statuses) == {"waiting": "Pending", "taken": "Accepted"}


def test_rejected_shares_are_listed_and_can_be_accepted_again(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, name="declined")
    share(image, tenant_b.project, status="rejected")
    client = console_as(tenant_b.admin)

    inbox = client.get(reverse("images:shared_inbox"), headers=HTMX).content.decode()
    assert 'data-testid="rejected-shares"' in inbox and "declined" in inbox
    assert "declined" not in names(client.get(LIST, {"imagetype": "shared"}).content.decode())

    client.post(reverse("images:image_member_answer", args=[image.pk]), {"status": "accepted"})

    assert image.members.get(project=tenant_b.project).status == "accepted"
    assert "declined" in names(client.get(LIST, {"imagetype": "shared"}).content.decode())


def test_the_shared_tab_query_count_does_not_grow_with_its_rows(
    console_as, tenant_a, tenant_b, django_assert_max_num_queries
):
    for number in range(30):
        share(make_image(tenant_a.project, name=f"s-{number}"), tenant_b.project, status="accepted")
    client = console_as(tenant_b.admin)

    with django_assert_max_num_queries(10):
        client.get(LIST, {"imagetype": "shared", "page_size": 100})
