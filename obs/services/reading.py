"""For other services (the image import): open an object named `bucket:key`, or find its local file."""

import dataclasses
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from iam.actors import Actor, project_in_region
from obs.errors import NOT_FOUND, ObsError
from obs.models import StoredObject
from obs.naming import parse_url
from obs.object_store import object_store_for
from obs.services.objects import open_object


def open_object_for_reading(actor: Actor, region_id: str, url: str) -> tuple[BinaryIO, StoredObject]:
    """(stream, object) for `url` = "bucket:key" in the actor's account, in `region_id`; the caller closes
    the stream. Raises ObsError: OBS.0001 (400) for a malformed address, OBS.0404 (404) when the bucket or
    object does not exist (or is another account's), IMG.0003 (403) without obs:objects:get. In S3 mode an
    object put into the bucket with any S3 client is registered on first sight (its sha256 is then empty)."""
    bucket, key = parse_url(url)
    return open_object(_in_region(actor, region_id), bucket=bucket, key=key)


def local_path_or_none(obj: StoredObject) -> Path | None:
    """The object's file in local mode (read it in place, no copy); None in S3 mode, for an encrypted object (its
    file is sealed: read the stream) or if it is missing."""
    if settings.STORAGE_BACKEND == "s3" or obj.encrypted:
        return None
    store = object_store_for(obj.bucket.region_id)
    path = store.local_path(store.object_name(obj.bucket.name, obj.key))
    return path if path.is_file() else None


def _in_region(actor: Actor, region_id: str):
    """The same caller working in the account's project of `region_id` (grants may differ per project)."""
    if actor.project.region_id == region_id:
        return actor
    project = project_in_region(actor.account, region_id) if region_id else None
    if project is None:
        raise ObsError(NOT_FOUND, _("Region %(region)s is not available to the account.") % {"region": region_id}, 404)
    return dataclasses.replace(actor, project=project, _cache={})
