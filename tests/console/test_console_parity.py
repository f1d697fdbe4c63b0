"""The console's shell at parity (issue 14): one script and no inline handlers, deletions that ask, a favicon, one
sidebar whose links follow what the user may do."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import make_image, project_of, share

LIST = "/console/images/"
PAGES = ("/console/images/?imagetype=gold", "/console/images/jobs", "/console/audit/", "/console/account/")


def test_every_page_loads_the_console_script_and_a_favicon_that_exists(console_as, tenant_a):
    client = console_as(tenant_a.admin)
    for url in PAGES:
        html = client.get(url).content.decode()
        assert re.search(r'<script src="/static/console/console\.js[^"]*" defer>', html), url
        favicon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
        assert favicon and finders.find(favicon.group(1)), url


def test_the_shell_and_the_job_centre_have_no_inline_handlers(console_as, tenant_a):
    client = console_as(tenant_a.admin)
    for url in ("/console/images/jobs", "/console/account/"):
        html = client.get(url).content.decode()
        assert not re.search(r"\son(change|submit|click)=", html), url


def test_deleting_a_tag_or_a_member_asks_first(console_as, tenant_a, tenant_b):
    image = make_image(project_of(tenant_a.account), name="shared-one", tags={"env": "prod"})
    share(image, project_of(tenant_b.account))
    client = console_as(tenant_a.admin)

    tags = client.get(f"{LIST}{image.pk}/tags").content.decode()
    members = client.get(f"{LIST}{image.pk}/members").content.decode()

    assert re.search(r'<form[^>]*data-confirm="[^"]*env[^"]*"[^>]*>\s*<input[^>]*csrf', tags), "tag"
    assert re.search(r"<form[^>]*/remove\"[^>]*data-confirm=\"[^\"]+\"", members), "member"


def test_a_reader_sees_no_object_storage_and_no_active_create_button(console_as, tenant_a):
    html = console_as(tenant_a.reader).get(f"{LIST}?imagetype=private").content.decode()

    assert 'data-testid="nav-obs"' not in html
    assert 'data-testid="create-image"' not in html
    disabled = re.search(r'<button[^>]*data-testid="create-image-disabled"[^>]*>', html)
    assert disabled and "disabled" in disabled.group(0) and "title=" in disabled.group(0)


def test_an_administrator_sees_object_storage_and_the_create_button(console_as, tenant_a):
    html = console_as(tenant_a.admin).get(f"{LIST}?imagetype=private").content.decode()

    assert 'data-testid="nav-obs"' in html
    assert re.search(r'<a[^>]*href="/console/images/create"[^>]*data-testid="create-image"', html)


def test_the_sidebar_marks_exactly_the_current_page(console_as, tenant_a):
    client = console_as(tenant_a.admin)
    for url, current in (
        (f"{LIST}?imagetype=gold", "Public images"),
        (f"{LIST}?imagetype=private", "Private images"),
        ("/console/images/jobs", "Jobs"),
        ("/console/audit/", "Audit"),
    ):
        nav = client.get(url).content.decode().split('data-testid="sidenav"', 1)[1].split("</nav>", 1)[0]
        marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
        assert marked == [current], (url, marked)


def test_the_sidebars_active_link_logic_is_written_once():
    base = Path(settings.BASE_DIR, "templates/console/base.html").read_text()
    assert base.count('aria-current="page"') <= 1


def test_a_readers_disabled_share_button_is_not_drawn_as_the_primary_action(console_as, tenant_a):
    image = make_image(project_of(tenant_a.account), name="mine")

    html = console_as(tenant_a.reader).get(f"{LIST}{image.pk}/members").content.decode()

    button = re.search(r'<button[^>]*data-testid="share-submit"[^>]*>', html).group(0)
    assert "disabled" in button and "title=" in button
    assert "primary" not in button
    # The administrator's enabled button stays the primary action: the reader's lacks it because it is disabled.
    html = console_as(tenant_a.admin).get(f"{LIST}{image.pk}/members").content.decode()
    button = re.search(r'<button[^>]*data-testid="share-submit"[^>]*>', html).group(0)
    assert "disabled" not in button and "primary" in button


def test_chinese_wording_keeps_tag_keys_and_refusals_apart():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Key") != translation.gettext("Object key")
        assert translation.gettext("Denied") != translation.gettext("Rejected")
