"""Per-image grants are account administration: the services refuse anyone but the account's administrators,
whichever face calls them (the Django admin is the only one today)."""

import pytest

from audit.models import Trace, TraceResult
from iam.authz import PermissionDenied, can
from images.services import grants
from tests.factories import actor, make_image


@pytest.fixture
def image(tenant_a):
    return make_image(tenant_a.project)


def test_a_user_who_does_not_administer_the_account_cannot_grant(tenant_a, image):
    full_access = actor(tenant_a.admin)  # IMS FullAccess, but not an administrator of the account
    with pytest.raises(PermissionDenied):
        grants.grant_image_to_user(full_access, image=image, user=tenant_a.reader, action="ims:images:update")
    assert not can(actor(tenant_a.reader), "ims:images:update", image)
    trace = Trace.objects.get(event_name="grantImage")
    assert trace.result == TraceResult.DENIED and trace.resource_id == str(image.pk)


def test_a_user_who_does_not_administer_the_account_cannot_revoke(tenant_a, image):
    tenant_a.admin.is_staff = True
    tenant_a.admin.save(update_fields=["is_staff"])
    grants.grant_image_to_user(actor(tenant_a.admin), image=image, user=tenant_a.reader, action="ims:images:update")
    with pytest.raises(PermissionDenied):
        grants.revoke_image_from_user(
            actor(tenant_a.reader), image=image, user=tenant_a.reader, action="ims:images:update"
        )
    assert can(actor(tenant_a.reader), "ims:images:update", image)


def test_the_accounts_administrator_grants_and_revokes(tenant_a, image):
    tenant_a.admin.is_staff = True
    tenant_a.admin.save(update_fields=["is_staff"])
    administrator = actor(tenant_a.admin)
    grants.grant_image_to_user(administrator, image=image, user=tenant_a.reader, action="ims:images:update")
    assert can(actor(tenant_a.reader), "ims:images:update", image)
    grants.revoke_image_from_user(administrator, image=image, user=tenant_a.reader, action="ims:images:update")
    assert not can(actor(tenant_a.reader), "ims:images:update", image)
