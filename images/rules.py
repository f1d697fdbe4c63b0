"""Whether an image may be copied or exported: pure preconditions on its state, shared by the services and
the console's action bar (which shows the refusal as the disabled button's tooltip).

Each check answers None when allowed, or the `ImsError` the service raises.
"""

from django.utils.translation import gettext as _

from core.errors import ImsError
from core.units import GiB
from images.choices import ImageStatus, ImageType, VirtualEnvType

COPY_LIMIT = 128 * GiB
EXPORT_LIMIT = 1024 * GiB
NORMAL_EXPORT_LIMIT = 128 * GiB
CROSS_REGION_COPIES_PER_TENANT = 5
# Public images of these systems carry licences that do not allow their disks to leave the cloud.
EXPORT_RESTRICTED_PLATFORMS = frozenset({"Windows", "SUSE", "RedHat", "Oracle Linux"})


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
    if image.image_type != ImageType.PRIVATE:
        return ImsError("IMG.0910", _("Only your own private images can be copied."))
    if refusal := _common(image) or _copy_size(image):
        return refusal
    if image.encrypted:
        return ImsError(
            "IMG.0120",
            _("Encrypted images need the key management service, which this installation does not offer yet."),
        )
    return None


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
    if image.encrypted:
        return ImsError(
            "IMG.0120",
            _("Encrypted images need the key management service, which this installation does not offer yet."),
        )
    return None
