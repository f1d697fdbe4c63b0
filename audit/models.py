"""Audit traces (the product's CTS records): who did what to which resource, when, and how it ended."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TraceResult(models.TextChoices):
    SUCCESS = "success", _("Succeeded")
    FAILURE = "failure", _("Failed")
    DENIED = "denied", _("Denied")


class TraceQuerySet(models.QuerySet):
    """The application has no way to change or remove traces in bulk either."""

    def update(self, **kwargs):
        raise TraceImmutable(_("Audit traces cannot be changed."))

    def delete(self):
        raise TraceImmutable(_("Audit traces cannot be deleted."))


class TraceImmutable(Exception):
    pass


class ChainHead(models.Model):
    """One row: the hash of the newest trace. Locking it serializes appends to the chain in every process."""

    hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.count} traces, head {self.hash[:12]}"


class Trace(models.Model):
    time = models.DateTimeField(default=timezone.now, db_index=True)
    event_name = models.CharField(max_length=64, db_index=True)
    operation = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=16, default="ims")
    resource_id = models.CharField(max_length=64, blank=True, db_index=True)
    resource_name = models.CharField(max_length=255, blank=True)
    account_id = models.CharField(max_length=32, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    project_id = models.CharField(max_length=32, blank=True)
    region_id = models.CharField(max_length=32, blank=True)
    source_ip = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=16, blank=True)
    result = models.CharField(max_length=8, choices=TraceResult.choices)
    error_code = models.CharField(max_length=32, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = TraceQuerySet.as_manager()

    class Meta:
        verbose_name = _("trace")
        verbose_name_plural = _("traces")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.event_name} {self.result}"

    def save(self, *args, **kwargs):
        # Append-only: a trace is written once, by audit.recorder, and never rewritten.
        if not self._state.adding:
            raise TraceImmutable(_("Audit traces cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TraceImmutable(_("Audit traces cannot be deleted."))
