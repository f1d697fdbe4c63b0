"""Tenants, their users, groups, projects per region, policies and credentials."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ImsError
from iam.grant_rules import check_grant
from iam.ids import new_hex_id


class Region(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    name_en = models.CharField(max_length=64)
    name_zh = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.id

    def display_name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


class AvailabilityZone(models.Model):
    id = models.CharField(primary_key=True, max_length=40)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="zones")
    name_en = models.CharField(max_length=64)
    name_zh = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("availability zone")
        verbose_name_plural = _("availability zones")

    def __str__(self):
        return self.id


class Account(models.Model):
    """A tenant (the product's account, Keystone's domain)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_hex_id, editable=False)
    name = models.CharField(_("name"), max_length=64, unique=True)
    is_platform = models.BooleanField(default=False, help_text=_("Owns the public image catalog."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.name


class Project(models.Model):
    """A project of an account in one region; IMS is a regional service, so every grant, quota and image lives in
    one. Each account has a default project per region (named after the region, the one the console and the SDK
    use when none is named) and may have more: the product names its sub-projects `<region>_<name>`, Keystone
    lets an operator name them freely. Names are unique in the account, as Keystone's are in a domain."""

    id = models.CharField(primary_key=True, max_length=32, default=new_hex_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="projects")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=64)
    is_default = models.BooleanField(
        _("default project of the region"),
        default=False,
        help_text=_("The project used in this region when a request names none."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["account__name", "region__position", "-is_default", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region"], condition=models.Q(is_default=True), name="one_default_project_per_region"
            ),
            models.UniqueConstraint(fields=["account", "name"], name="unique_project_name"),
        ]

    def __str__(self):
        return f"{self.account.name}/{self.name}"


class Member(models.Model):
    """Binds a Django user (an IAM user) to its account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="iam")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("account member")
        verbose_name_plural = _("account members")

    def __str__(self):
        return f"{self.account.name}/{self.user.username}"


class Policy(models.Model):
    class Kind(models.TextChoices):
        SYSTEM_ROLE = "system_role", _("System role")
        SYSTEM_POLICY = "system_policy", _("System policy")
        CUSTOM = "custom", _("Custom policy")

    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="policies")
    description = models.CharField(max_length=255, blank=True)
    document = models.JSONField(help_text=_('{"Version": "1.1", "Statement": [{"Effect", "Action": [...]}]}'))
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="unique_policy_name")]

    def __str__(self):
        return self.name

    def clean(self):
        from iam.policy_documents import validate_document

        if self.kind == self.Kind.CUSTOM and self.account_id is None:
            raise ValidationError({"account": _("A custom policy belongs to one account.")})
        if self.kind != self.Kind.CUSTOM and self.account_id is not None:
            raise ValidationError({"kind": _("Only custom policies belong to an account.")})
        try:
            validate_document(self.document)
        except ImsError as error:
            raise ValidationError({"document": error.message}) from None


class Group(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="iam_groups")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="unique_group_name")]
        verbose_name = _("user group")
        verbose_name_plural = _("user groups")

    def __str__(self):
        return f"{self.account.name}/{self.name}"


class Grant(models.Model):
    """A policy or role given to a group, in one project or (project=None) in all of the account's projects."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="grants")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="grants")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "policy", "project"], name="unique_grant"),
            models.UniqueConstraint(
                fields=["group", "policy"], condition=models.Q(project=None), name="unique_global_grant"
            ),
        ]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self):
        return f"{self.group} ← {self.policy} @ {self.project or 'all projects'}"

    def clean(self):
        if self.group_id is None or self.policy_id is None:
            return  # the form reports the missing field
        existing = list(self.group.grants.select_related("policy").exclude(pk=self.pk))
        try:
            check_grant(self.group, self.policy, self.project, existing=existing)
        except ImsError as error:
            raise ValidationError(error.message) from None


class AccessKey(models.Model):
    """An AK/SK pair. The SK must be recoverable to verify HMAC signatures, so it is kept encrypted."""

    access_key = models.CharField(primary_key=True, max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    encrypted_secret = models.BinaryField()
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access key")
        verbose_name_plural = _("access keys")

    def __str__(self):
        return self.access_key


class Token(models.Model):
    """A Keystone-style token; only its SHA-256 is stored, so a database leak yields no usable token."""

    digest = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tokens")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LoginLockout(models.Model):
    """Consecutive failed sign-ins per user name (existing or not), and until when the name is locked."""

    username = models.CharField(_("user name"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.username
