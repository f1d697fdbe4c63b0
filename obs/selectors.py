"""Every lookup of buckets, objects and uploads, already scoped to the actor's account and region."""

import uuid

from iam.actors import Actor
from iam.authz import scope
from obs.errors import bucket_not_found, upload_not_found
from obs.models import Bucket, Upload
from obs.naming import validate_bucket_name


def find_bucket(actor: Actor, name, action: str) -> Bucket:
    """The actor's bucket `name`; another account's bucket is simply not found."""
    name = validate_bucket_name(name)
    bucket = scope(actor, action, Bucket.objects.select_related("region")).filter(name=name).first()
    if bucket is None:
        raise bucket_not_found(name)
    return bucket


def find_upload(actor: Actor, upload_id, action: str) -> Upload:
    try:
        upload_id = uuid.UUID(str(upload_id))
    except ValueError:
        raise upload_not_found(upload_id) from None
    upload = scope(actor, action, Upload.objects.select_related("bucket")).filter(pk=upload_id).first()
    if upload is None:
        raise upload_not_found(upload_id)
    return upload
