"""Buckets: list, create, delete (only when empty)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.authz import scope
from iam.operations import operation
from obs.errors import BUCKET_EXISTS, BUCKET_NOT_EMPTY, TOO_MANY_BUCKETS, ObsError
from obs.models import Bucket, UploadStatus
from obs.naming import validate_bucket_name
from obs.object_store import object_store_for
from obs.selectors import find_bucket
from obs.services.common import Deleted


def _named(kwargs) -> dict:
    return {"bucket": kwargs.get("name", "")}


@operation("list_buckets")
def list_buckets(actor: Actor) -> list[Bucket]:
    """The account's buckets in the actor's region, each with its number of objects and bytes."""
    buckets = scope(actor, "obs:buckets:list", Bucket.objects.all())
    return list(
        buckets.annotate(object_count=Count("stored_objects"), bytes=Coalesce(Sum("stored_objects__size"), 0)).order_by(
            "name"
        )
    )


@operation("create_bucket", summary=_named)
def create_bucket(actor: Actor, *, name: str) -> Bucket:
    name = validate_bucket_name(name)
    if Bucket.objects.filter(region=actor.region, name=name).exists():
        raise _exists(name)
    limit = getattr(settings, "OBS_MAX_BUCKETS", 100)
    if Bucket.objects.filter(account=actor.account, region=actor.region).count() >= limit:
        raise ObsError(
            TOO_MANY_BUCKETS, _("An account has at most %(limit)d buckets per region.") % {"limit": limit}, 409
        )
    try:
        with transaction.atomic():
            bucket = Bucket.objects.create(account=actor.account, region=actor.region, name=name)
    except IntegrityError:  # created by someone else a moment ago
        raise _exists(name) from None
    object_store_for(bucket.region_id)  # makes the region's storage (its S3 bucket): S3 clients may write there now
    return bucket


def _exists(name: str) -> ObsError:
    return ObsError(BUCKET_EXISTS, _("The bucket name %(name)s is already taken in this region.") % {"name": name}, 409)


@operation("delete_bucket", summary=_named)
def delete_bucket(actor: Actor, *, name: str) -> Deleted:
    """Refused while the bucket holds objects, whether recorded here or put into S3 directly."""
    bucket = find_bucket(actor, name, "obs:buckets:delete")
    store = object_store_for(bucket.region_id)
    completing = bucket.uploads.filter(status=UploadStatus.COMPLETING).exists()
    if completing or bucket.stored_objects.exists() or not store.is_empty(bucket.name):
        raise ObsError(
            BUCKET_NOT_EMPTY, _("Bucket %(name)s is not empty: delete its objects first.") % {"name": bucket.name}, 409
        )
    # Unfinished uploads go with their bucket.
    for upload in bucket.uploads.filter(status=UploadStatus.UPLOADING):
        store.abort(upload)
    deleted = Deleted(pk=str(bucket.pk), name=bucket.name)
    bucket.delete()
    store.remove_bucket(bucket.name)
    return deleted
