"""Exporting a private image into a bucket of its region: `export_image` (and its safe-mode twin) checks and
queues; the export runner (`images.jobs.export`) converts the disk as qemu-img reads it from the chunk store (or
not, for a quick export), puts it into the bucket with a `<key>.sha256` sidecar, and cleans its staging folder
whatever happens.
"""

from django.utils.translation import gettext as _

from core import text
from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.operations import operation
from images import rules
from images.models import Image, Job
from images.selectors import get_own_image
from images.services import jobs
from images.services.imports import _lock_quota
from obs.models import Bucket, StoredObject

EXPORT_JOB = "exportImage"
FORMATS = ("qcow2", "vmdk", "vhd")
PROPRIETARY = ("zvhd", "zvhd2")


def _format(file_format: str | None, quick: bool) -> str:
    """The file's format: none may be asked of a quick export (the raw disk as it is); else one of FORMATS."""
    if quick:
        if file_format not in (None, ""):
            raise invalid("file_format", _("must be left out for a quick export, which exports the raw disk as it is."))
        return "raw"
    if file_format in PROPRIETARY:
        raise ImsError(
            "IMG.0715",
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification; "
                "export to QCOW2, VMDK or VHD instead."
            ),
        )
    return text.check_choice("file_format", file_format, set(FORMATS))


def _bucket_and_key(actor: Actor, value: str) -> tuple[str, str]:
    from obs.naming import parse_url

    bucket, key = parse_url(value)
    if not Bucket.objects.filter(account=actor.account, region=actor.project.region, name=bucket).exists():
        raise ImsError(
            "IMG.0916",
            _("Bucket %(bucket)s does not exist in this region; export into a bucket of the image's region.")
            % {"bucket": bucket},
            404,
        )
    return bucket, key


def _refuse_existing(actor: Actor, bucket: str, key: str) -> None:
    if StoredObject.objects.filter(
        bucket__account=actor.account, bucket__region=actor.project.region, bucket__name=bucket, key=key
    ).exists():
        raise ImsError(
            "IMG.0917",
            _("Object %(key)s already exists in bucket %(bucket)s; choose another name or ask to overwrite it.")
            % {"key": key, "bucket": bucket},
            409,
        )


def _export_image(
    actor: Actor,
    *,
    image: Image,
    bucket_url: str,
    file_format: str | None = None,
    is_quick_export: bool = False,
    overwrite: bool = False,
) -> Job:
    """`overwrite`: replace an object of that name; without it an existing object is refused, never lost."""
    quick = is_quick_export
    file_format = _format(file_format, quick)
    bucket, key = _bucket_and_key(actor, bucket_url)
    if not overwrite:
        _refuse_existing(actor, bucket, key)
    refusal = rules.export_refusal(image, quick=quick)
    if refusal is not None:
        raise refusal
    _lock_quota(actor, new_image=False)
    job = jobs.new_job(
        actor,
        EXPORT_JOB,
        image,
        image_id=str(image.pk),
        image_name=image.name,
        bucket_url=f"{bucket}:{key}",
        file_format=file_format,
        quick=quick,
    )
    jobs.enqueue(job)
    return job


export_image = operation("export_image", find=get_own_image)(_export_image)
export_image_in_safe_mode = operation("export_image_in_safe_mode", find=get_own_image)(_export_image)
