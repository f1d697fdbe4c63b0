"""Glance's image lifecycle beyond delete: deactivate and reactivate (`POST /v2/images/{id}/actions/…`).

A deactivated image keeps its disk, its members and its place in the lists; nobody but a cloud administrator may
download it and no new server may be made from it, until its owner reactivates it. Repeating either call is
harmless, as in Glance.
"""

from iam.actors import Actor
from iam.operations import operation
from images.choices import ImageStatus
from images.models import Image
from images.rules import deactivate_refusal, reactivate_refusal
from images.selectors import get_own_image


def _set_status(image: Image, status: str) -> Image:
    if image.status != status:
        image.status = status
        image.save(update_fields=["status", "updated_at"])
    return image


@operation("glance_deactivate_image", find=get_own_image)
def glance_deactivate_image(actor: Actor, *, image: Image) -> Image:
    refusal = deactivate_refusal(image)
    if refusal is not None:
        raise refusal
    return _set_status(image, ImageStatus.DEACTIVATED)


@operation("glance_reactivate_image", find=get_own_image)
def glance_reactivate_image(actor: Actor, *, image: Image) -> Image:
    refusal = reactivate_refusal(image)
    if refusal is not None:
        raise refusal
    return _set_status(image, ImageStatus.ACTIVE)
