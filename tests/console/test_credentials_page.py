"""The "My credentials" page: the IDs a user needs for the APIs and for sharing (the other side's project ID)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iam.models import Project, Region


def test_my_credentials_shows_account_user_and_every_regions_project(console_as, tenant_a):
    html = console_as(tenant_a.reader).get(reverse("iam:credentials")).content.decode()

    assert f'data-testid="account-id">{tenant_a.account.id}<' in html
    assert f'data-testid="account-name">{tenant_a.account.name}<' in html
    assert f'data-testid="user-id">{tenant_a.reader.pk}<' in html
    projects = Project.objects.filter(account=tenant_a.account)
    assert projects.count() > 1
    for project in projects:
        assert f'data-testid="project-id">{project.id}<' in html


def test_my_credentials_shows_no_other_accounts_project(console_as, tenant_a, tenant_b):
    html = console_as(tenant_a.admin).get(reverse("iam:credentials")).content.decode()

    assert tenant_b.project.id not in html and tenant_b.account.id not in html


def test_region_names_are_shown_in_the_pages_language(console_as, tenant_a):
    client = console_as(tenant_a.admin)

    english = client.get(reverse("iam:credentials")).content.decode()
    chinese = client.get(reverse("iam:credentials"), headers={"Accept-Language": "zh-hans"}).content.decode()

    assert "CN East-Shanghai1" in english and "华东-上海一" in chinese


def test_my_credentials_needs_sign_in(client):
    response = client.get(reverse("iam:credentials"))

    assert response.status_code == 302 and "login" in response["Location"]


def test_the_credentials_page_query_count_is_pinned(console_as, tenant_a, django_assert_max_num_queries):
    client = console_as(tenant_a.admin)
    with django_assert_max_num_queries(8):
        client.get(reverse("iam:credentials"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("iam:credentials"))
    # Whatever the number of regions and projects: four more regions with a project each ask no more queries.
    for number in range(4):
        region = Region.objects.create(id=f"xx-test-{number}", name_en=f"Test {number}", name_zh=f"测试{number}")
        Project.objects.create(account=tenant_a.account, region=region, name=f"xx-test-{number}", is_default=True)
    with CaptureQueriesContext(connection) as after:
        html = client.get(reverse("iam:credentials")).content.decode()
    assert "xx-test-3" in html and len(after.captured_queries) == len(before.captured_queries)


def test_the_user_menu_links_to_my_credentials(console_as, tenant_a):
    html = console_as(tenant_a.reader).get(reverse("images:image_list")).content.decode()
    assert f'href="{reverse("iam:credentials")}" data-testid="my-credentials"' in html
