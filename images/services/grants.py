"""Per-image grants: one action on one private image for one user of the image's account (`images.object_grants`).

The Django admin is their face: it lets in only the account's administrators and the platform operator, and acts
as the signed-in administrator in the image's own project (via "admin"). The services check the same rule
themselves (`authorize_account_administration`), so no other face can skip it.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from guardian.models import UserObjectPermission

from iam.actors import Actor
from iam.authz import authorize_account_administration
from iam.operations import operation
from images import object_grants
from images.models import Image
from images.selectors import get_account_image


def _summary(kwargs: dict) -> dict:
    return {"user": kwargs["user"].get_username(), "action": kwargs["action"]}


@operation("grant_image_to_user", find=get_account_image, summary=_summary)
def grant_image_to_user(actor: Actor, *, image: Image, user: AbstractBaseUser, action: str) -> UserObjectPermission:
    authorize_account_administration(actor)
    return object_grants.grant_image_action(user, image, action)


@operation("revoke_image_from_user", find=get_account_image, summary=_summary)
def revoke_image_from_user(actor: Actor, *, image: Image, user: AbstractBaseUser, action: str) -> None:
    authorize_account_administration(actor)
    object_grants.revoke_image_action(user, image, action)
