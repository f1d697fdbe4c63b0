"""Buckets and objects per account and region, and multipart uploads in progress.

The bytes live in the region's "objects" storage (obs.storage); these rows say what exists, who owns it
and what its checksums are.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iam.actors import Actor
from iam.models import Account, Region


class OwnedQuerySet(models.QuerySet):
    """Rows of the actor's account in the actor's region; another tenant's rows simply are not there."""

    account_path = "account"
    region_path = "region"

    def visible_to(self, actor: Actor):
        return self.filter(**{self.account_path: actor.account, self.region_path: actor.region})


class BucketQuerySet(OwnedQuerySet):
    pass


class Bucket(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="obs_buckets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="obs_buckets")
    name = models.CharField(_("name"), max_length=63)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BucketQuerySet.as_manager()

    class Meta:
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        ordering = ["name"]
        # As in the product, a bucket name is taken for the whole region, whichever account holds it.
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="obs_bucket_name_per_region")]

    def __str__(self):
        return self.name

    def urn(self) -> str:
        return f"obs:{self.region_id}:{self.account_id}:bucket:{self.name}"


class StoredObjectQuerySet(OwnedQuerySet):
    account_path = "bucket__account"
    region_path = "bucket__region"


class StoredObject(models.Model):
    bucket = models.ForeignKey(Bucket, on_delete=models.PROTECT, related_name="stored_objects")
    key = models.CharField(_("key"), max_length=1024)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Empty until known (objects put into S3 directly are registered without it)."),
    )
    md5 = models.CharField(max_length=32, blank=True)
    etag = models.CharField(max_length=80, blank=True, help_text=_("The storage's entity tag."))
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    cmk_id = models.CharField(
        _("encryption key"),
        max_length=36,
        blank=True,
        help_text=_("The KMS key the object is encrypted at rest with; empty for an object stored in the clear."),
    )
    wrapped_data_key = models.CharField(
        max_length=4096, blank=True, help_text=_("The object's own data key, wrapped by its KMS key (hex).")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = StoredObjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("object")
        verbose_name_plural = _("objects")
        ordering = ["bucket", "key"]
        constraints = [models.UniqueConstraint(fields=["bucket", "key"], name="obs_object_key_per_bucket")]

    def __str__(self):
        return self.url

    @property
    def url(self) -> str:
        """`bucket:key`, the way the product names an object (e.g. an image file to import)."""
        return f"{self.bucket.name}:{self.key}"

    name = url  # what audit traces show as the resource name

    @property
    def encrypted(self) -> bool:
        return bool(self.cmk_id)


class UploadStatus(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    COMPLETING = "completing", _("Completing")
    COMPLETED = "completed", _("Completed")
    ABORTED = "aborted", _("Aborted")


class UploadQuerySet(OwnedQuerySet):
    account_path = "bucket__account"
    region_path = "bucket__region"


class Upload(models.Model):
    """A multipart upload in progress: parts arrive in any order, in parallel, and are assembled at the end."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="uploads")
    key = models.CharField(max_length=1024)
    size = models.BigIntegerField(help_text=_("Bytes of the whole object."))
    part_size = models.PositiveIntegerField(help_text=_("Bytes of every part but the last."))
    sha256 = models.CharField(max_length=64, blank=True, help_text=_("The checksum the client expects."))
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.UPLOADING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="obs_uploads"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("multipart upload")
        verbose_name_plural = _("multipart uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url

    @property
    def url(self) -> str:
        return f"{self.bucket.name}:{self.key}"

    name = url

    @property
    def part_count(self) -> int:
        return max(1, -(-self.size // self.part_size))

    def expected_part_size(self, number: int) -> int:
        if number < self.part_count:
            return self.part_size
        return self.size - (self.part_count - 1) * self.part_size


class UploadPart(models.Model):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    etag = models.CharField(
        max_length=80, blank=True, help_text=_("S3's entity tag of the part (its MD5); empty for a local part.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["upload", "number"]
        constraints = [models.UniqueConstraint(fields=["upload", "number"], name="obs_part_number_per_upload")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.upload.url} #{self.number}"
