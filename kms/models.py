"""Customer master keys per account and region, and the grants that let other principals use them.

A key's material never enters the database: the embedded provider keeps it sealed in VAR_DIR, an external KMS
keeps it itself (`provider_key_id` names it there). What is stored with an image is only its data key as the
provider wrapped it.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iam.actors import Actor
from iam.ids import new_hex_id
from iam.models import Account, Region

DEFAULT_ALIAS = "ims/default"


class KeyState(models.TextChoices):
    """The values are the KMS API's `key_state` codes."""

    ENABLED = "2", _("Enabled")
    DISABLED = "3", _("Disabled")
    PENDING_DELETION = "4", _("Pending deletion")


class KeyQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor):
        """The actor's account's keys of its region; another tenant's keys simply are not there."""
        return self.filter(account=actor.account, region=actor.region)


class MasterKey(models.Model):
    id = models.UUIDField(_("key ID"), primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="kms_keys")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="kms_keys")
    alias = models.CharField(_("alias"), max_length=255)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_default = models.BooleanField(default=False, help_text=_("The key the service made for images (ims/default)."))
    state = models.CharField(_("state"), max_length=1, choices=KeyState.choices, default=KeyState.ENABLED)
    provider = models.CharField(max_length=16, help_text=_("Who holds the key material: embedded or external."))
    provider_key_id = models.CharField(max_length=2048, blank=True, help_text=_("The key's id in an external KMS."))
    created_at = models.DateTimeField(default=timezone.now)
    deletion_date = models.DateTimeField(_("scheduled deletion"), null=True, blank=True)

    objects = KeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("master key")
        verbose_name_plural = _("master keys")
        ordering = ["-is_default", "alias"]
        constraints = [
            models.UniqueConstraint(fields=["account", "region", "alias"], name="unique_key_alias_per_region"),
        ]

    def __str__(self):
        return self.alias

    def urn(self) -> str:
        return f"kms:{self.region_id}:{self.account_id}:KeyId:{self.id}"

    @property
    def name(self) -> str:
        """What traces and messages name the key by."""
        return self.alias

    @property
    def usable(self) -> bool:
        return self.state == KeyState.ENABLED


class KeyGrantQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor):
        return self.filter(key__account=actor.account, key__region=actor.region)


class KeyGrant(models.Model):
    """Lets a principal of another project or account use a key (the product asks for one before an image
    encrypted with a custom key is shared with that project)."""

    class PrincipalType(models.TextChoices):
        USER = "user"
        DOMAIN = "domain"
        PROJECT = "project"

    id = models.CharField(primary_key=True, max_length=64, default=new_hex_id, editable=False)
    key = models.ForeignKey(MasterKey, on_delete=models.CASCADE, related_name="grants")
    name = models.CharField(max_length=255, blank=True)
    grantee_principal = models.CharField(max_length=64)
    grantee_principal_type = models.CharField(max_length=8, choices=PrincipalType.choices)
    operations = models.JSONField(default=list)
    issuing_principal = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = KeyGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("key grant")
        verbose_name_plural = _("key grants")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.key_id} → {self.grantee_principal}"
