"""Deleting a private image (Glance `DELETE /v2/images/{id}`, the product's only delete).

The image row stays, marked deleted, so traces and jobs keep naming it; its disk is detached and left to the
storage collector, which removes manifests no image uses any more (a copy may share the same manifest).
"""

from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.operations import operation
from images.choices import ImageStatus, ImageType
from images.models import Image, Job
from images.selectors import get_own_image
from images.services.jobs import ACTIVE_STATES


def deletion_refusal(image: Image) -> ImsError | None:
    """Why the image cannot be deleted now, or None. Shared by the API and any console button."""
    if image.protected:
        return ImsError("IMG.0032", _("The image is protected: remove its protection before deleting it."), 403)
    if image.image_type == ImageType.MARKET or image.system_support_market:
        return ImsError("IMG.0033", _("A published image cannot be deleted."), 403)
    if Job.objects.filter(image=image, status__in=ACTIVE_STATES).exists():
        return ImsError("IMG.0034", _("A task is running on the image; wait for it to finish, then delete it."), 409)
    return None


@operation(
    "glance_delete_image",
    find=get_own_image,
    summary=lambda kwargs: {"delete_backup": kwargs.get("delete_backup", False)},
)
def glance_delete_image(actor, *, image: Image, delete_backup: bool = False) -> Image:
    # Backups belong to the backup service, which this deployment does not run: the flag is accepted and kept.
    refusal = deletion_refusal(image)
    if refusal is not None:
        raise refusal
    image.status = ImageStatus.DELETED
    image.manifest = None
    image.save(update_fields=["status", "manifest", "updated_at"])
    return image
