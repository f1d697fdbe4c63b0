"""Where bytes live: one Django storage per (purpose, region), a local folder or an S3-compatible bucket.

Purposes: "chunks" (the image chunk store), "objects" (tenants' buckets), "staging" is never a storage —
staging files are local temp files of the worker.
"""

from functools import lru_cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


@lru_cache(maxsize=64)
def storage_for(purpose: str, region_id: str) -> Storage:
    if settings.STORAGE_BACKEND == "s3":
        from storages.backends.s3 import S3Storage

        ensure_s3_bucket(s3_bucket_name(purpose, region_id))
        return S3Storage(
            bucket_name=s3_bucket_name(purpose, region_id),
            endpoint_url=settings.S3_ENDPOINT_URL or None,
            access_key=settings.S3_ACCESS_KEY_ID,
            secret_key=settings.S3_SECRET_ACCESS_KEY,
            region_name=settings.S3_REGION_NAME,
            file_overwrite=True,
            default_acl=None,
            querystring_auth=True,
        )
    location = settings.VAR_DIR / purpose / region_id
    location.mkdir(parents=True, exist_ok=True)
    return FileSystemStorage(location=location, file_permissions_mode=0o600, directory_permissions_mode=0o700)


def s3_bucket_name(purpose: str, region_id: str) -> str:
    return f"{settings.S3_BUCKET_PREFIX}-{purpose}-{region_id}".lower()


def s3_client():
    """A boto3 client for the configured endpoint (bucket creation, multipart uploads)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.S3_ENDPOINT_URL or None,
        aws_access_key_id=settings.S3_ACCESS_KEY_ID,
        aws_secret_access_key=settings.S3_SECRET_ACCESS_KEY,
        region_name=settings.S3_REGION_NAME,
    )


def ensure_s3_bucket(name: str) -> None:
    """Buckets per (purpose, region) are made on first use, so a new region needs no manual step."""
    from botocore.exceptions import ClientError

    client = s3_client()
    try:
        client.head_bucket(Bucket=name)
    except ClientError:
        client.create_bucket(Bucket=name)
