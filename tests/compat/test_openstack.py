"""An OpenStack client (openstacksdk), unchanged: Keystone v3 password login, then the Image v2 API."""

import pytest

from tests.factories import PASSWORD, make_image, project_of

# openstacksdk warns about its own deprecations (metrics, internal helpers) on every call.
pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]


def connect(url: str, username: str, *, account: str, region: str = "cn-north-4", password: str = PASSWORD):
    from openstack.connection import Connection

    return Connection(
        auth_url=f"{url}/v3",
        username=username,
        password=password,
        user_domain_name=account,
        project_name=region,
        project_domain_name=account,
        region_name=region,
        interface="public",
    )


@pytest.fixture
def conn(world):
    return connect(world["url"], "alpha-admin", account="alpha")


def test_lists_every_visible_image_across_pages(conn, world, project_a):
    make_image(project_a, name="alpha-own")
    make_image(world["b"].project, name="bravo-own")
    listed = [image.id for image in conn.image.images(limit=40)]  # four pages, through Glance's `next`
    assert len(listed) == len(set(listed)) == 132 + 1
    names = {image.name for image in conn.image.images(visibility="private")}
    assert names == {"alpha-own"}


def test_filters_and_sorting_pass_through(conn, project_a):
    make_image(project_a, name="b-second", status="active")
    make_image(project_a, name="a-first", status="active")
    make_image(project_a, name="c-queued", status="queued")
    listed = [i.name for i in conn.image.images(visibility="private", status="active", sort_key="name", sort_dir="asc")]
    assert listed == ["a-first", "b-second"]


def test_shows_one_image_with_glance_types(conn, project_a):
    image = make_image(project_a, name="shown", min_disk=50, min_ram=1024, tags={"role": "web"})
    shown = conn.image.get_image(str(image.id))
    assert (shown.id, shown.name, shown.owner_id) == (str(image.id), "shown", project_a.id)
    assert shown.min_disk == 50 and shown.min_ram == 1024 and shown.size == image.size
    assert shown.visibility == "private" and shown.status == "active" and shown.is_protected is False
    assert shown.disk_format == "qcow2" and shown.container_format == "bare" and shown.tags == ["role=web"]
    assert shown.created_at.endswith("Z")


def test_another_tenants_private_image_is_not_found(conn, world):
    from openstack.exceptions import NotFoundException

    hidden = make_image(world["b"].project, name="bravo-secret")
    with pytest.raises(NotFoundException):
        conn.image.get_image(str(hidden.id))


def test_project_scope_picks_the_region(world):
    east = project_of(world["a"].account, "cn-east-3")
    make_image(east, name="east-only")
    conn = connect(world["url"], "alpha-admin", account="alpha", region="cn-east-3")
    assert [image.name for image in conn.image.images()] == ["east-only"]
    assert conn.current_project_id == east.id


def test_wrong_password_is_refused(world):
    from keystoneauth1.exceptions import Unauthorized

    conn = connect(world["url"], "alpha-admin", account="alpha", password="not-the-password")
    with pytest.raises(Unauthorized):
        list(conn.image.images())
