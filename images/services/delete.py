"""Deleting a private image (Glance `DELETE /v2/images/{id}`, the product's only delete).

The image row stays, marked deleted, so traces and jobs keep naming it; its disk is detached and left to the
storage collector, which removes manifests no image uses any more (a copy may share the same manifest).
"""

import functools

from django.db import transaction

from iam.operations import operation
from images.choices import ImageStatus
from images.models import Image
from images.rules import deletion_refusal
from images.selectors import get_own_image
from images.services.glance_import import discard_staged


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
    # A file staged for a glance-direct import goes with the image (once the deletion is committed).
    transaction.on_commit(functools.partial(discard_staged, image.pk))
    return image
