"""python-glanceclient and openstacksdk, unchanged, through a whole sharing story: the owner creates an image,
uploads it and shares it; the member accepts, lists and downloads it, then rejects it; the owner removes the member
and deletes the image. Each client in Keystone mode (the endpoint from the token's catalog, the region picked by
the client) and in token mode (a token and the image endpoint given by hand).

The server is gunicorn, as `make run` serves: glanceclient streams uploads with `Transfer-Encoding: chunked`, which
the test server of Django does not decode."""

import hashlib
import io

import pytest

from tests.factories import PASSWORD
from tests.images.imports.conftest import gunicorn, gunicorn_log  # noqa: F401 - fixtures used below

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

REGION = "cn-north-4"
DISK = bytes(range(256)) * 4096 * 4  # 4 MiB of raw disk: a pattern, so a wrong byte shows


def keystone_session(url: str, username: str, account: str):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3

    auth = v3.Password(
        auth_url=f"{url}/v3",
        username=username,
        password=PASSWORD,
        user_domain_name=account,
        project_name=REGION,
        project_domain_name=account,
    )
    return session.Session(auth=auth)


@pytest.fixture
def users_with_real_passwords(settings, tenant_a, tenant_b):
    """The owner and the member, their passwords hashed as the server (another process, without the tests' fast
    hasher) checks them."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    for user in (tenant_a.admin, tenant_b.admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


class GlanceClient:
    """The steps of the story with python-glanceclient."""

    def __init__(self, url: str, username: str, account: str, *, mode: str):
        from glanceclient import Client

        sess = keystone_session(url, username, account)
        if mode == "keystone":
            self.api = Client("2", session=sess, region_name=REGION, interface="public")
        else:
            self.api = Client("2", endpoint=url, token=sess.get_token())
        self.project_id = sess.get_project_id()

    def create_and_upload(self, name: str) -> str:
        image = self.api.images.create(name=name, disk_format="raw", container_format="bare")
        self.api.images.upload(image["id"], io.BytesIO(DISK), image_size=len(DISK))
        return image["id"]

    def status(self, image_id: str) -> str:
        return self.api.images.get(image_id)["status"]

    def share(self, image_id: str, project_id: str) -> str:
        return self.api.image_members.create(image_id, project_id)["status"]

    def answer(self, image_id: str, status: str) -> str:
        return self.api.image_members.update(image_id, self.project_id, status)["status"]

    def listed(self) -> set[str]:
        return {image["id"] for image in self.api.images.list()}

    def download(self, image_id: str) -> bytes:
        return b"".join(self.api.images.data(image_id))  # the client checks the MD5 it receives

    def remove_member(self, image_id: str, project_id: str) -> None:
        self.api.image_members.delete(image_id, project_id)

    def delete(self, image_id: str) -> None:
        self.api.images.delete(image_id)

    def is_gone(self, image_id: str) -> bool:
        from glanceclient.exc import HTTPNotFound

        try:
            self.api.images.get(image_id)
        except HTTPNotFound:
            return True
        return False


class OpenStackSdk:
    """The steps of the story with openstacksdk."""

    def __init__(self, url: str, username: str, account: str, *, mode: str):
        import openstack

        sess = keystone_session(url, username, account)
        if mode == "keystone":
            self.conn = openstack.connection.Connection(session=sess, region_name=REGION, interface="public")
        else:
            self.conn = openstack.connection.Connection(
                auth_type="admin_token",
                auth={"endpoint": url, "token": sess.get_token()},
                image_endpoint_override=url,
            )
        self.project_id = sess.get_project_id()

    def create_and_upload(self, name: str) -> str:
        image = self.conn.image.create_image(
            name, data=DISK, disk_format="raw", container_format="bare", allow_duplicates=True, wait=False
        )
        return image.id

    def status(self, image_id: str) -> str:
        return self.conn.image.get_image(image_id).status

    def share(self, image_id: str, project_id: str) -> str:
        return self.conn.image.add_member(image_id, member_id=project_id).status

    def answer(self, image_id: str, status: str) -> str:
        return self.conn.image.update_member(self.project_id, image_id, status=status).status

    def listed(self) -> set[str]:
        return {image.id for image in self.conn.image.images()}

    def download(self, image_id: str) -> bytes:
        return self.conn.image.download_image(image_id).content

    def remove_member(self, image_id: str, project_id: str) -> None:
        self.conn.image.remove_member(project_id, image_id, ignore_missing=False)

    def delete(self, image_id: str) -> None:
        self.conn.image.delete_image(image_id, ignore_missing=False)

    def is_gone(self, image_id: str) -> bool:
        from openstack.exceptions import NotFoundException

        try:
            self.conn.image.get_image(image_id)
        except NotFoundException:
            return True
        return False


def sharing_story(client, url: str, mode: str) -> None:
    owner = client(url, "alpha-admin", "alpha", mode=mode)
    member = client(url, "bravo-admin", "bravo", mode=mode)
    image_id = owner.create_and_upload(f"shared-by-{client.__name__}-{mode}")
    assert owner.status(image_id) == "active"  # Glance's contract: active when the upload's PUT answers

    assert owner.share(image_id, member.project_id) == "pending"
    assert member.answer(image_id, "accepted") == "accepted"
    assert image_id in member.listed()
    downloaded = member.download(image_id)
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(DISK).digest()

    assert member.answer(image_id, "rejected") == "rejected"
    assert image_id not in member.listed()  # Glance lists only accepted shares by default
    owner.remove_member(image_id, member.project_id)
    assert member.is_gone(image_id)
    owner.delete(image_id)
    assert owner.is_gone(image_id)


# Both modes in one test: the server starts once per client, which is most of the test's time.
@pytest.mark.parametrize("client", [GlanceClient, OpenStackSdk], ids=["glanceclient", "openstacksdk"])
def test_owner_shares_member_accepts_downloads_rejects_owner_removes_and_deletes_in_keystone_and_token_mode(
    gunicorn,  # noqa: F811 - the fixture imported above
    users_with_real_passwords,
    client,
):
    for mode in ("keystone", "token"):
        sharing_story(client, gunicorn, mode)
