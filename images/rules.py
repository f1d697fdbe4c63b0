"""The product's rules on an image's state: may it be copied, exported, shared or deleted now?

Pure preconditions shared by the services (which raise the refusal) and the console, whose buttons ask
`image_actions()`: the permission the service will check, then these rules, with the reason on a disabled
button. Each `*_refusal` answers None when allowed, or the `ImsError` the service raises.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ImsError
from core.units import GiB
from iam.authz import can
from images.choices import ImageStatus, ImageType, VirtualEnvType
from images.models import ACTIVE_JOB_STATES, Job
from kms.rules import image_key, image_key_refusal
from kms.selectors import has_grant_for_project

COPY_LIMIT = 128 * GiB
EXPORT_LIMIT = 1024 * GiB
NORMAL_EXPORT_LIMIT = 128 * GiB
CROSS_REGION_COPIES_PER_TENANT = 5
MAX_MEMBERS = 128
MAX_WHOLE_IMAGE_MEMBERS = 10
# Public images of these systems carry licences that do not allow their disks to leave the cloud.
EXPORT_RESTRICTED_PLATFORMS = frozenset({"Windows", "SUSE", "RedHat", "Oracle Linux"})


# The data origin of a whole-machine image made from a server, or from a CBR backup (compute sets it).
WHOLE_IMAGE_SHAREABLE_ORIGINS = ("instance,", "CBR,")


def is_whole_machine(image) -> bool:
    """Whole-machine images are made from a server or cloud backup; the backup names them."""
    return bool(image.backup_id)


def _size(image) -> int:
    return max(image.virtual_size or 0, image.size or 0)


def _common(image) -> ImsError | None:
    if image.status != ImageStatus.ACTIVE or image.manifest_id is None:
        return ImsError(
            "IMG.0901",
            _("Only a normal (active) image can be copied or exported; this one is %(status)s.")
            % {"status": image.status},
            409,
        )
    if is_whole_machine(image):
        return ImsError("IMG.0902", _("Whole-machine images cannot be copied or exported."))
    if image.virtual_env_type == VirtualEnvType.ISO_IMAGE:
        return ImsError("IMG.0903", _("ISO images cannot be copied or exported."))
    return None


def _copy_size(image) -> ImsError | None:
    if _size(image) > COPY_LIMIT:
        return ImsError(
            "IMG.0904", _("Images larger than %(limit)d GB cannot be copied.") % {"limit": COPY_LIMIT // GiB}
        )
    return None


def copy_in_region_refusal(image) -> ImsError | None:
    """Your own private images, and market images (copying in the region is the only copy the market allows)."""
    if image.image_type not in (ImageType.PRIVATE, ImageType.MARKET):
        return ImsError("IMG.0910", _("Only your own private images and market images can be copied."))
    if refusal := _common(image) or _copy_size(image):
        return refusal
    return image_key_refusal(image)  # a disabled key blocks reading the image, so copying it


def copy_cross_region_refusal(image) -> ImsError | None:
    if image.image_type != ImageType.PRIVATE:
        return ImsError("IMG.0910", _("Only your own private images can be copied."))
    if refusal := _common(image) or _copy_size(image):
        return refusal
    if image.encrypted:
        return ImsError("IMG.0905", _("Encrypted images cannot be copied to another region."))
    return None


def _restricted_origin(image) -> bool:
    from images.models import Image

    if image.product_code:
        return True  # from the marketplace
    if image.root_origin not in ("", "file") and image.platform in EXPORT_RESTRICTED_PLATFORMS:
        return True  # made from a server or a copy of one that runs a licensed public image
    if not image.original_image_id:
        return False
    origin = Image.objects.filter(pk=image.original_image_id).values("image_type", "platform").first()
    return bool(origin) and (
        origin["image_type"] == ImageType.MARKET
        or (origin["image_type"] == ImageType.GOLD and origin["platform"] in EXPORT_RESTRICTED_PLATFORMS)
    )


def export_refusal(image, *, quick: bool = False) -> ImsError | None:
    """`quick` None checks what every export needs (the console asks before the caller has chosen)."""
    if image.image_type != ImageType.PRIVATE:
        return ImsError(
            "IMG.0911", _("Public, market and shared images cannot be exported; only your own private images can.")
        )
    if refusal := _common(image):
        return refusal
    if _restricted_origin(image):
        return ImsError(
            "IMG.0912",
            _(
                "Images made from Windows, SUSE, Red Hat or Oracle Linux public images or from "
                "market images cannot be exported."
            ),
        )
    size = _size(image)
    if size > EXPORT_LIMIT:
        return ImsError("IMG.0913", _("Images larger than 1 TB cannot be exported."))
    if quick is False and size > NORMAL_EXPORT_LIMIT:
        return ImsError("IMG.0914", _("Images larger than 128 GB can be exported only by quick export."))
    if quick and image.encrypted:
        return ImsError("IMG.0915", _("Encrypted images cannot be quick-exported; choose a file format."))
    return image_key_refusal(image)


def share_refusal(image, *, glance: bool = False) -> ImsError | None:
    """Why `image` cannot be shared, or None. The console shows the message on the disabled button. Glance's
    member calls may also share an image still waiting for its file, as Glance lets them."""
    if image.image_type != ImageType.PRIVATE:
        return ImsError("IMG.0601", _("Only private images can be shared."))
    if image.status != ImageStatus.ACTIVE and not (glance and image.status == ImageStatus.QUEUED):
        return ImsError("IMG.0601", _("Only images in the Normal state can be shared."))
    if image.encrypted and _default_or_gone_key(image):
        return ImsError(
            "IMG.0602",
            _(
                "Images encrypted with the default key cannot be shared. Copy the image with a custom key, grant "
                "the member that key, then share the copy."
            ),
        )
    if image.system_support_market:
        return ImsError("IMG.0603", _("Images published to the market cannot be shared."))
    if is_whole_machine(image) and not image.data_origin.startswith(WHOLE_IMAGE_SHAREABLE_ORIGINS):
        # Whole-machine images are shareable only when made from a server or a cloud (CBR) backup.
        return ImsError(
            "IMG.0604",
            _("This whole-machine image was not created from a server or a cloud backup and cannot be shared."),
        )
    return None


def modify_refusal(image) -> ImsError | None:
    """Why the image's attributes cannot be modified now (the IMS update service's own state rule), or None."""
    if image.status != ImageStatus.ACTIVE:
        return ImsError(
            "IMG.0008",
            _("Image %(id)s is %(status)s: only an active image can be modified.")
            % {"id": image.id, "status": image.status},
            409,
        )
    return None


def deactivate_refusal(image) -> ImsError | None:
    """Glance's lifecycle: only an image with a disk can be deactivated (again: nothing happens)."""
    if image.status not in (ImageStatus.ACTIVE, ImageStatus.DEACTIVATED):
        return ImsError(
            "IMG.0140",
            _("Only a normal (active) image can be deactivated; this one is %(status)s.") % {"status": image.status},
            403,
        )
    return None


def reactivate_refusal(image) -> ImsError | None:
    if image.status not in (ImageStatus.ACTIVE, ImageStatus.DEACTIVATED):
        return ImsError(
            "IMG.0141",
            _("Only a deactivated image can be reactivated; this one is %(status)s.") % {"status": image.status},
            403,
        )
    return None


def download_refusal(image, *, cloud_admin: bool) -> ImsError | None:
    """A deactivated image's disk is kept from everyone but a cloud administrator, as Glance keeps it."""
    if image.status == ImageStatus.DEACTIVATED and not cloud_admin:
        return ImsError("IMG.0142", _("The image is deactivated: its data cannot be downloaded."), 403)
    return None


def publish_refusal(image) -> ImsError | None:
    """Why the operator cannot publish `image` to the market, or None: a normal private system disk image that
    is not already listed and owes nothing to the market or to a licensed public image."""
    if image.image_type != ImageType.PRIVATE or image.status != ImageStatus.ACTIVE or image.manifest_id is None:
        return ImsError("IMG.0620", _("Only a normal (active) private image can be published to the market."), 409)
    if image.virtual_env_type not in (VirtualEnvType.FUSION_COMPUTE, VirtualEnvType.IRONIC):
        return ImsError("IMG.0621", _("Only system disk images can be published to the market."), 409)
    if image.system_support_market:
        return ImsError("IMG.0622", _("This image is already published to the market."), 409)
    if _restricted_origin(image):
        return ImsError(
            "IMG.0623",
            _("Images made from market images or licensed public images cannot be published to the market."),
            409,
        )
    if image.encrypted:
        return ImsError("IMG.0626", _("Encrypted images cannot be published to the market."), 409)
    return None


def _default_or_gone_key(image) -> bool:
    key = image_key(image)
    return key is None or key.is_default


def member_key_refusal(image, project) -> ImsError | None:
    """An image encrypted with a custom key is shared with a project only once the project holds a grant on the key
    (KMS create_grant to the project, or to its account)."""
    key = image_key(image) if image.encrypted else None
    if key is None or has_grant_for_project(key, project):
        return None
    return ImsError(
        "IMG.0613",
        _(
            "Project %(project)s has no grant on key %(alias)s (%(key)s) that encrypts this image; create a grant "
            "for the project (KMS create_grant), then share the image."
        )
        % {"project": project.pk, "alias": key.alias, "key": key.pk},
    )


def member_limit(image) -> int:
    return MAX_WHOLE_IMAGE_MEMBERS if is_whole_machine(image) else MAX_MEMBERS


def deletion_refusal(image) -> ImsError | None:
    """Why the image cannot be deleted now, or None. Shared by the API and any console button."""
    if image.protected:
        return ImsError("IMG.0032", _("The image is protected: remove its protection before deleting it."), 403)
    if image.image_type == ImageType.MARKET or image.system_support_market:
        return ImsError("IMG.0033", _("A published image cannot be deleted."), 403)
    if Job.objects.filter(image=image, status__in=ACTIVE_JOB_STATES).exists():
        return ImsError("IMG.0034", _("A task is running on the image; wait for it to finish, then delete it."), 409)
    return None


@dataclass(frozen=True)
class Action:
    """One console button: may it act, and if not, why (the disabled button's tooltip)."""

    reason: str = ""

    @property
    def allowed(self) -> bool:
        return not self.reason


def _no_permission(action: str) -> str:
    return _("You have no permission for this action (%(action)s).") % {"action": action}


# Each button of an image: the actions its service authorizes, the state rule it enforces, and what to say when
# the actor lacks the permission (sharing and tags keep the wording their panels have always shown).
BUTTONS = {
    "modify": (("ims:images:update",), modify_refusal, _no_permission),
    "copy": (("ims:images:copy",), copy_in_region_refusal, _no_permission),
    "copy_region": (("ims:images:copy",), copy_cross_region_refusal, _no_permission),
    "export": (("ims:images:export",), lambda image: export_refusal(image, quick=None), _no_permission),
    "delete": (("ims:images:delete",), deletion_refusal, _no_permission),
    "deactivate": (("ims:images:update",), lambda image: _lifecycle_button(image, ImageStatus.ACTIVE), _no_permission),
    "reactivate": (
        ("ims:images:update",),
        lambda image: _lifecycle_button(image, ImageStatus.DEACTIVATED),
        _no_permission,
    ),
    "share": (
        ("ims:images:get", "ims:images:share"),
        share_refusal,
        lambda action: _("You need the ims:images:share permission for this."),
    ),
    "tags": (
        ("ims:images:update",),
        None,
        lambda action: _("Your permissions do not allow changing tags (ims:images:update is needed)."),
    ),
}


def _lifecycle_button(image, status: str) -> ImsError | None:
    """Deactivate is offered for a normal image, reactivate for a deactivated one (the API accepts repeats)."""
    if image.status == status:
        return None
    if status == ImageStatus.ACTIVE:
        return deactivate_refusal(image) or ImsError("IMG.0140", _("The image is already deactivated."), 403)
    return reactivate_refusal(image) or ImsError("IMG.0141", _("The image is not deactivated."), 403)


def image_actions(actor, image) -> dict[str, Action]:
    """For every button of `image`: may `actor` use it now, and if not, why. The same permission checks and
    rules the services apply, in the same order, so the console never offers what the API would refuse."""
    own = image.owner_id == actor.project.id
    return {name: _button(actor, image, own, *checks) for name, checks in BUTTONS.items()}


def image_action(actor, image, name: str) -> Action:
    """One button of `image_actions` alone (a list row asks only for the buttons it draws)."""
    return _button(actor, image, image.owner_id == actor.project.id, *BUTTONS[name])


def market_copy_action(actor, image) -> Action:
    """The "Copy" button of a market image: every tenant of the region may copy it (the market's only copy)."""
    return _button(actor, image, True, *BUTTONS["copy"])


def _button(actor, image, own: bool, actions, rule, no_permission) -> Action:
    if not own:
        return Action(_("Only the project that owns the image can change it."))
    for action in actions:
        if not can(actor, action, image):
            return Action(no_permission(action))
    refusal = rule(image) if rule is not None else None
    return Action(refusal.message if refusal is not None else "")
