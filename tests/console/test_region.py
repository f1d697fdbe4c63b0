"""The region switcher: each region shows its own images; regions outside the account are refused."""

from django.test import Client

from iam.models import Project
from tests.factories import make_image, project_of

LIST = "/console/images/?imagetype=private"


def test_switching_region_changes_which_images_are_listed(console_as, tenant_a):
    make_image(project_of(tenant_a.account, "cn-north-4"), name="north-image")
    make_image(project_of(tenant_a.account, "cn-east-3"), name="east-image")
    client = console_as(tenant_a.admin)

    before = client.get(LIST).content.decode()
    response = client.post("/console/region", {"region": "cn-east-3", "next": LIST})
    after = client.get(LIST).content.decode()

    assert "north-image" in before and "east-image" not in before
    assert response.status_code == 302 and response["Location"] == LIST
    assert "east-image" in after and "north-image" not in after
    assert 'value="cn-east-3" selected' in after


def test_a_region_the_account_has_no_project_in_is_refused(console_as, tenant_a):
    Project.objects.filter(account=tenant_a.account, region_id="cn-south-1").delete()
    client = console_as(tenant_a.admin)

    response = client.post("/console/region", {"region": "cn-south-1", "next": LIST}, follow=True)

    assert client.session.get("region") != "cn-south-1"
    assert "That region is not available to your account." in response.content.decode()
    assert 'value="cn-south-1"' not in response.content.decode()


def test_an_unknown_region_is_refused(console_as, tenant_a):
    client = console_as(tenant_a.admin)

    client.post("/console/region", {"region": "mars-1"})

    assert client.session.get("region") is None


def test_switching_region_never_redirects_to_another_site(console_as, tenant_a):
    client = console_as(tenant_a.admin)

    response = client.post("/console/region", {"region": "cn-east-3", "next": "https://evil.example/"})

    assert response["Location"] == "/console/images/"


def test_switching_region_without_a_csrf_token_is_refused(tenant_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.admin)

    response = client.post("/console/region", {"region": "cn-east-3"})

    assert response.status_code == 403
    assert client.session.get("region") is None
    assert 'data-testid="error-page"' in response.content.decode()


def test_a_region_stays_chosen_for_the_rest_of_the_session(console_as, tenant_a):
    make_image(project_of(tenant_a.account, "cn-east-3"), name="east-image")
    client = console_as(tenant_a.admin)
    client.post("/console/region", {"region": "cn-east-3"})

    assert "east-image" in client.get(LIST).content.decode()
    assert "east-image" in client.get(LIST + "&page=1").content.decode()
