"""Per-image grants: one action on one image for one user of the image's account (django-guardian rows).

Example: a read-only user may update one image and nothing else. The grant is a guardian
UserObjectPermission whose permission's codename is the action with `_` for `:`; `iam.authz` asks the
image for the actions granted to an actor, and the image queryset for the images granted for an action.
Grants count only inside the image's own account: a row naming another account's user gives nothing.
"""

import uuid

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.models import UserObjectPermission

from core.errors import ImsError
from images.choices import ImageType

GRANTABLE_ACTIONS = {
    "ims:images:get": gettext_lazy("Show the image"),
    "ims:images:update": gettext_lazy("Modify the image and its tags"),
    "ims:images:delete": gettext_lazy("Delete the image"),
    "ims:images:share": gettext_lazy("Share the image"),
    "ims:images:export": gettext_lazy("Export the image"),
    "ims:images:copy": gettext_lazy("Copy the image"),
    "ims:images:upload": gettext_lazy("Upload the image file"),
}


def codename_for(action: str) -> str:
    return action.replace(":", "_")


ACTION_BY_CODENAME = {codename_for(action): action for action in GRANTABLE_ACTIONS}


def image_content_type() -> ContentType:
    # Through the app registry: images.models asks this module, so this module cannot import images.models.
    return ContentType.objects.get_for_model(apps.get_model("images", "Image"))


def actions_granted(user, account_id: str, image) -> frozenset[str]:
    if image.owner.account_id != account_id:
        return frozenset()
    codenames = UserObjectPermission.objects.filter(
        user=user, content_type=image_content_type(), object_pk=str(image.pk)
    ).values_list("permission__codename", flat=True)
    return frozenset(ACTION_BY_CODENAME[c] for c in codenames if c in ACTION_BY_CODENAME)


def granted_images_q(user, account_id: str, action: str) -> Q:
    """The images of the account on which `user` holds a grant for `action`, as a filter."""
    if action not in GRANTABLE_ACTIONS or user is None:
        return Q(pk__in=[])
    object_pks = UserObjectPermission.objects.filter(
        user=user, content_type=image_content_type(), permission__codename=codename_for(action)
    ).values_list("object_pk", flat=True)
    # object_pk is text and Image.pk a UUID: compare in Python terms (PostgreSQL will not mix the two).
    return Q(pk__in=[uuid.UUID(pk) for pk in object_pks], owner__account_id=account_id)


def grants_of(user) -> dict[uuid.UUID, set[str]]:
    """Every per-image grant of `user`: image id → actions."""
    rows = UserObjectPermission.objects.filter(user=user, content_type=image_content_type()).values_list(
        "object_pk", "permission__codename"
    )
    grants: dict[uuid.UUID, set[str]] = {}
    for object_pk, codename in rows:
        if codename in ACTION_BY_CODENAME:
            grants.setdefault(uuid.UUID(object_pk), set()).add(ACTION_BY_CODENAME[codename])
    return grants


def check_image_grant(user, image, action: str) -> None:
    if action not in GRANTABLE_ACTIONS:
        raise ImsError(
            "IAM.0301",
            _("%(action)s cannot be granted on one image; choose one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(GRANTABLE_ACTIONS)},
        )
    membership = getattr(user, "iam", None)
    if membership is None or membership.account_id != image.owner.account_id:
        raise ImsError("IAM.0302", _("Images can only be granted to users of the account that owns them."))
    if image.image_type != ImageType.PRIVATE:
        raise ImsError("IAM.0303", _("Only private images can be granted to a user."))


@transaction.atomic
def grant_image_action(user, image, action: str) -> UserObjectPermission:
    check_image_grant(user, image, action)
    permission = Permission.objects.get(content_type=image_content_type(), codename=codename_for(action))
    row, _created = UserObjectPermission.objects.get_or_create(
        user=user, permission=permission, content_type=permission.content_type, object_pk=str(image.pk)
    )
    return row


def revoke_image_action(user, image, action: str) -> None:
    UserObjectPermission.objects.filter(
        user=user,
        content_type=image_content_type(),
        object_pk=str(image.pk),
        permission__codename=codename_for(action),
    ).delete()
