"""The user's own console page: profile, password, access keys and effective permissions."""

import pytest
from django.test import Client
from django.urls import reverse

from iam.models import AccessKey
from tests.api_clients import SignedClient
from tests.factories import PASSWORD

ACCOUNT = "/console/account/"
NEW_PASSWORD = "Quiet-Lantern-Orbit-77"


@pytest.fixture
def admin_client(tenant_a) -> Client:
    client = Client()
    client.force_login(tenant_a.admin)
    return client


def create_key(client) -> str:
    response = client.post(reverse("iam:access_key_create"), {"description": "ci <script>"})
    assert response.status_code == 302
    return response["Location"]


def test_the_account_page_shows_the_profile(admin_client, tenant_a):
    page = admin_client.get(ACCOUNT).content.decode()

    assert 'data-testid="profile-username">alpha-admin<' in page
    assert 'data-testid="profile-account">alpha<' in page
    assert "group-alpha-admin" in page


def test_the_user_menu_links_to_the_account_page(admin_client):
    assert f'href="{ACCOUNT}"' in admin_client.get(reverse("images:image_list")).content.decode()


def test_changing_the_password_keeps_the_session(admin_client, tenant_a):
    response = admin_client.post(
        reverse("iam:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == ACCOUNT
    assert admin_client.get(ACCOUNT).status_code == 200
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.check_password(NEW_PASSWORD)


def test_changing_the_password_needs_the_old_one(admin_client, tenant_a):
    response = admin_client.post(
        reverse("iam:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.check_password(PASSWORD)


def test_the_password_validators_apply(admin_client, tenant_a):
    response = admin_client.post(
        reverse("iam:password_change"), {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.check_password(PASSWORD)


def test_a_new_secret_key_is_shown_once(admin_client, tenant_a):
    result_url = create_key(admin_client)
    key = AccessKey.objects.get(user=tenant_a.admin)

    first = admin_client.get(result_url)
    assert first.status_code == 200 and 'data-testid="new-sk"' in first.content.decode()
    assert 'data-testid="sk-warning"' in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    second = admin_client.get(result_url).content.decode()
    assert 'data-testid="new-sk"' not in second and key.access_key in second
    assert 'data-testid="sk-gone"' in second
    assert "ci &lt;script&gt;" in admin_client.get(ACCOUNT).content.decode()


def test_the_shown_secret_signs_requests(admin_client, tenant_a):
    first = admin_client.get(create_key(admin_client)).content.decode()
    secret = first.split('data-testid="new-sk">')[1].split("<")[0]
    key = AccessKey.objects.get(user=tenant_a.admin)

    client = SignedClient(tenant_a.admin, project=tenant_a.project, credentials=(key, secret))
    assert client.get("/v2/cloudimages").status_code == 200


def test_a_third_key_is_refused(admin_client, tenant_a):
    create_key(admin_client)
    create_key(admin_client)
    response = admin_client.post(reverse("iam:access_key_create"), follow=True)

    assert AccessKey.objects.filter(user=tenant_a.admin).count() == 2
    assert "at most 2 access keys" in response.content.decode()


def test_a_disabled_key_no_longer_authenticates(admin_client, tenant_a):
    api = SignedClient(tenant_a.admin, project=tenant_a.project)
    assert api.get("/v2/cloudimages").status_code == 200

    response = admin_client.post(reverse("iam:access_key_status", args=[api.access_key]), {"active": "false"})
    assert response.status_code == 302
    assert api.get("/v2/cloudimages").status_code == 401

    admin_client.post(reverse("iam:access_key_status", args=[api.access_key]), {"active": "true"})
    assert api.get("/v2/cloudimages").status_code == 200


def test_deleting_a_key(admin_client, tenant_a):
    api = SignedClient(tenant_a.admin, project=tenant_a.project)
    response = admin_client.post(reverse("iam:access_key_delete", args=[api.access_key]))

    assert response.status_code == 302
    assert not AccessKey.objects.filter(pk=api.access_key).exists()
    assert api.get("/v2/cloudimages").status_code == 401


@pytest.mark.parametrize("name", ["iam:access_key_status", "iam:access_key_delete", "iam:access_key_created"])
def test_another_users_key_is_not_found(admin_client, tenant_a, tenant_b, name):
    other = SignedClient(tenant_b.admin)
    url = reverse(name, args=[other.access_key])
    response = admin_client.get(url) if name.endswith("created") else admin_client.post(url, {"active": "false"})

    assert response.status_code == 404
    key = AccessKey.objects.get(pk=other.access_key)
    assert key.is_active


@pytest.mark.parametrize(
    "url, data",
    [
        (
            reverse("iam:password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
        (reverse("iam:access_key_create"), {}),
    ],
)
def test_posts_need_the_csrf_token(tenant_a, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.admin)

    assert client.post(url, data).status_code == 403
    assert not AccessKey.objects.filter(user=tenant_a.admin).exists()
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.check_password(PASSWORD)


def test_key_status_and_delete_need_the_csrf_token(tenant_a):
    api = SignedClient(tenant_a.admin)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.admin)

    assert client.post(reverse("iam:access_key_status", args=[api.access_key]), {"active": "false"}).status_code == 403
    assert client.post(reverse("iam:access_key_delete", args=[api.access_key])).status_code == 403
    assert AccessKey.objects.get(pk=api.access_key).is_active


def allowed_actions(page: str, region: str) -> dict:
    section = page.split(f'data-region="{region}"')[1].split('data-testid="region-permissions"')[0]
    rows = section.split('data-testid="action" ')[1:]
    return {
        row.split('data-action="')[1].split('"')[0]: row.split('data-allowed="')[1].split('"')[0] == "true"
        for row in rows
    }


def test_effective_permissions_per_region_for_a_reader_and_an_admin(tenant_a):
    reader, admin = Client(), Client()
    reader.force_login(tenant_a.reader)
    admin.force_login(tenant_a.admin)
    reader_page, admin_page = reader.get(ACCOUNT).content.decode(), admin.get(ACCOUNT).content.decode()

    for region in ("cn-north-4", "cn-east-3"):
        seen_by_reader, seen_by_admin = allowed_actions(reader_page, region), allowed_actions(admin_page, region)
        assert seen_by_reader["ims:images:list"] and not seen_by_reader["ims:images:delete"]
        assert seen_by_admin["ims:images:list"] and seen_by_admin["ims:images:delete"]
    assert 'data-testid="grant"' in reader_page


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and "/console/login" in response["Location"]


def traces(event: str):
    from audit.models import Trace

    return list(Trace.objects.filter(event_name=event).order_by("id"))


def test_password_changes_are_traced_with_their_result_and_never_the_password(admin_client, tenant_a):
    admin_client.post(
        reverse("iam:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    admin_client.post(
        reverse("iam:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    failed, changed = traces("changePassword")
    assert (failed.result, failed.error_code, changed.result) == ("failure", "IAM.0021", "success")
    assert changed.username == "alpha-admin" and changed.resource_id == str(tenant_a.admin.pk)
    assert changed.resource_type == "iam" and changed.via == "console"
    assert NEW_PASSWORD not in str(changed.summary) and PASSWORD not in str(failed.summary)


def test_access_key_changes_are_traced_without_the_secret(admin_client, tenant_a):
    create_key(admin_client)
    key = AccessKey.objects.get(user=tenant_a.admin)
    admin_client.post(reverse("iam:access_key_status", args=[key.pk]), {"active": "false"})
    admin_client.post(reverse("iam:access_key_delete", args=[key.pk]))
    create_key(admin_client)
    create_key(admin_client)
    create_key(admin_client)  # the third one is refused

    created = traces("createAccessKey")
    assert [t.result for t in created] == ["success", "success", "success", "failure"]
    assert created[0].resource_id == key.pk and created[-1].error_code == "IAM.0011"
    (disabled,), (deleted,) = traces("updateAccessKey"), traces("deleteAccessKey")
    assert disabled.resource_id == deleted.resource_id == key.pk
    assert disabled.summary == {"active": "False"}


def test_per_image_grants_are_listed_on_the_account_page(tenant_a):
    from images.object_grants import grant_image_action
    from tests import factories

    image = factories.make_image(tenant_a.project, name="granted <b>one</b>")
    grant_image_action(tenant_a.reader, image, "ims:images:update")
    grant_image_action(tenant_a.reader, image, "ims:images:get")
    client = Client()
    client.force_login(tenant_a.reader)
    page = client.get(ACCOUNT).content.decode()

    assert f'data-testid="image-grant" data-image="{image.pk}"' in page
    assert "granted &lt;b&gt;one&lt;/b&gt;" in page
    assert "<code>ims:images:get</code>, <code>ims:images:update</code>" in page
    client.force_login(tenant_a.admin)
    assert 'data-testid="no-image-grants"' in client.get(ACCOUNT).content.decode()


def test_region_headings_name_the_region_once(admin_client):
    html = admin_client.get(ACCOUNT).content.decode()

    heading = html.split('data-region="cn-north-4"', 1)[1].split("</h3>", 1)[0]
    assert "cn-north-4 <" not in heading and heading.count("cn-north-4") <= 1
    assert "CN North-Beijing4" in heading


def test_the_password_form_is_drawn_in_the_house_style(admin_client):
    html = admin_client.get(ACCOUNT).content.decode()

    form = html.split('data-testid="password-form"', 1)[1].split("</form>", 1)[0]
    assert "<p><label" not in form
    assert form.count('class="field"') == 3
