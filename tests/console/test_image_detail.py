"""The image detail page: basic information, supported features, the way back, and what others may not see."""

import re

from images.choices import ImageType
from images.models import Image
from tests.factories import make_image, share

LIST = "/console/images/"


def detail(client, image, **params):
    return client.get(f"{LIST}{image.id}", params)


def test_the_detail_page_shows_basic_information_and_supported_features(console_as, tenant_a, public_catalog):
    image = Image.objects.get(image_type=ImageType.GOLD, name="Ubuntu 22.04 server 64bit", architecture="x86")

    response = detail(console_as(tenant_a.reader), image)

    html = response.content.decode()
    assert response.status_code == 200
    assert str(image.id) in html
    for label in (
        "Basic information",
        "Public image",
        "Ubuntu 22.04 server 64bit",
        "64-bit",
        "RAW",
        "Supported features",
        "User data injection",
        "Disk hot-plug",
    ):
        assert label in html, label
    assert 'data-testid="support-status"' in html


def test_an_offline_image_says_it_cannot_create_servers(console_as, tenant_a, public_catalog):
    image = Image.objects.filter(image_type=ImageType.GOLD, offline=True).first()

    html = detail(console_as(tenant_a.admin), image).content.decode()

    assert "new servers cannot be created from it" in html


def test_another_tenants_private_image_is_not_found(console_as, tenant_a, tenant_b):
    secret = make_image(tenant_a.project, name="alpha-secret")

    response = detail(console_as(tenant_b.admin), secret)

    assert response.status_code == 404
    assert "alpha-secret" not in response.content.decode()


def test_an_unknown_image_is_not_found(console_as, tenant_a):
    response = console_as(tenant_a.admin).get(f"{LIST}6f1c3a52-6c1e-4c55-9d59-2f0d1c6b8e01")

    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()


def test_an_image_shared_with_the_tenant_opens_as_a_shared_image(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, name="for-bravo")
    share(image, tenant_b.project)

    html = detail(console_as(tenant_b.reader), image).content.decode()

    assert "for-bravo" in html and "Shared image" in html
    assert tenant_a.project.id in html  # who shares it


def test_the_back_link_returns_to_the_list_as_it_was(console_as, tenant_a, public_catalog):
    client = console_as(tenant_a.admin)
    listing = client.get(LIST, {"q": "Windows", "page": 2, "page_size": 10}).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="image-link"', listing).group(1).replace("&amp;", "&")

    html = client.get(link).content.decode()
    back = re.search(r'href="([^"]+)" data-testid="back-link"', html).group(1).replace("&amp;", "&")

    assert back.startswith(LIST + "?")
    assert {"imagetype=gold", "q=Windows", "page=2", "page_size=10"} <= set(back.split("?", 1)[1].split("&"))


def test_the_back_link_without_a_list_to_return_to_opens_the_images_tab(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = detail(console_as(tenant_a.admin), image).content.decode()

    assert 'href="/console/images/?imagetype=private" data-testid="back-link"' in html


def test_the_back_link_keeps_only_list_parameters(console_as, tenant_a):
    image = make_image(tenant_a.project)

    html = detail(
        console_as(tenant_a.admin), image, back="imagetype=private&next=https://evil.example"
    ).content.decode()

    assert 'href="/console/images/?imagetype=private" data-testid="back-link"' in html
