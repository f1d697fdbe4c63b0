"""Chunks (stored once per region), and manifests that list the chunks of one disk's virtual content."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iam.models import Region

CHUNK_SIZE = 4 * 1024 * 1024


class Chunk(models.Model):
    """One stored object: the plaintext of a 4 MiB (or shorter, last) slice of a disk, zstd-compressed unless
    that would not shrink it (`objects.PlainCodec`).

    `generation` makes the object's name unique to this row: if the collector deletes a row and a
    concurrent import stores the same content again, the collector's late delete of the old object can
    never hit the new one.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, help_text=_("SHA-256 of the plaintext, lowercase hex."))
    generation = models.CharField(max_length=16)
    size = models.PositiveIntegerField(help_text=_("Plaintext bytes."))
    # Sealed chunks (of encrypted images) are AES-256-GCM objects addressed by a keyed hash under their data key,
    # kept in their own part of the store (`sealed/`); see `images.blobs.sealed`.
    sealed = models.BooleanField(default=False)
    stored_size = models.PositiveIntegerField(help_text=_("Bytes of the stored object."))
    created_at = models.DateTimeField(default=timezone.now)
    # Every writer that is about to name this chunk in a manifest sets it first; the collector spares
    # unreferenced chunks touched within its grace period.
    last_referenced_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When its object was last read back and found to match its address (its writer hashed it, then the chunk
    # audit, oldest first; see `images.blobs.audit`). None: not since this field exists.
    verified_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set by the audit when the object no longer matches its address: its object is moved aside, no writer reuses
    # it (the same content is stored again as a new chunk), and the images naming it are marked failed.
    quarantined_at = models.DateTimeField(null=True, blank=True)
    quarantine_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "digest"],
                condition=models.Q(quarantined_at__isnull=True),
                name="unique_chunk_per_region",
            )
        ]
        # The audit's first step each run: the few chunks set aside, found without reading the whole table.
        indexes = [
            models.Index(
                fields=["quarantined_at"], condition=models.Q(quarantined_at__isnull=False), name="chunk_quarantined"
            )
        ]

    def __str__(self):
        return f"{self.region_id}/{self.digest[:12]}"

    @property
    def object_name(self) -> str:
        return object_name(self.digest, self.generation, sealed=self.sealed)


PLAIN_ROOT, SEALED_ROOT, QUARANTINE_ROOT = "sha256", "sealed", "quarantine"


def object_name(digest: str, generation: str, *, sealed: bool = False) -> str:
    return f"{SEALED_ROOT if sealed else PLAIN_ROOT}/{digest[:2]}/{digest[2:4]}/{digest}.{generation}"


class Manifest(models.Model):
    """A disk's virtual content: entry i covers bytes [i × chunk_size, (i + 1) × chunk_size); no entry = zeros."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    virtual_size = models.BigIntegerField()
    chunk_size = models.PositiveIntegerField(default=CHUNK_SIZE)
    data_bytes = models.BigIntegerField(default=0, help_text=_("Plaintext bytes of the stored (non-zero) chunks."))
    stored_bytes = models.BigIntegerField(default=0, help_text=_("Stored bytes of its distinct chunks."))
    new_bytes = models.BigIntegerField(default=0, help_text=_("Stored bytes it added to the region when written."))
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.id)


class ManifestEntry(models.Model):
    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="entries")
    index = models.PositiveIntegerField()
    chunk = models.ForeignKey(Chunk, on_delete=models.PROTECT, related_name="entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["manifest", "index"], name="unique_manifest_index")]
        verbose_name_plural = "manifest entries"

    def __str__(self):
        return f"{self.manifest_id}[{self.index}]"
