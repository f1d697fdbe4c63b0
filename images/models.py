"""Images, their tags and members, and the jobs that act on them."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import BooleanField, Expression, Q, TextField
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import JSONField
from iam.authz import is_cloud_admin
from iam.ids import new_hex_id
from iam.models import Project, Region
from images.choices import (
    Architecture,
    DiskFormat,
    FirmwareType,
    ImageStatus,
    ImageType,
    MemberStatus,
    OsType,
    Platform,
    SupportStatus,
    VirtualEnvType,
    Visibility,
)
from images.object_grants import GRANTABLE_ACTIONS, actions_granted, codename_for, granted_images_q

# A public image whose support ends within this many days is flagged as ending soon.
SUPPORT_ENDING_WINDOW = timedelta(days=180)


class ImageQuerySet(models.QuerySet):
    def resource_q(self, patterns) -> Q:
        """Images named by policy resources `ims:<region>:<project>:image:<id>` (each value exact or *)."""
        condition = Q(pk__in=[])
        for pattern in patterns:
            _, region, project, _, image_id = pattern.split(":")
            named = Q()
            for field, value in (("region_id", region), ("owner_id", project), ("pk", image_id)):
                if value != "*":
                    named &= Q(**{field: value})
            condition |= named
        return condition

    def granted_q(self, actor, action: str) -> Q:
        return granted_images_q(actor.user, actor.account.pk, action)

    def with_tag_texts(self):
        """Each image with `tag_texts_json`: its tags as the lists show them, in one JSON array read with the row."""
        return self.annotate(tag_texts_json=TagTexts())

    def visible_to(self, actor):
        """Public and market images of the actor's region, its own images, and images shared with it. Images held
        for an owner no project has (images/services/ownership.py) are a cloud administrator's to reach alone."""
        return self.filter(VisibleTo(actor.region.pk, actor.project.pk, cloud_admin=is_cloud_admin(actor)))


class ImageRowCondition(Expression):
    """A condition written as SQL over the columns of the image row it is tested on.

    Every list and every lookup of an image is narrowed by the same few conditions. Built from Q objects and
    Exists querysets they cost more to build and compile than the query of a small list takes to run; written as
    SQL they cost a few string joins. The columns are Django's own column references, so the condition keeps
    working where the images are a subquery of another query and Django renames their table.
    """

    output_field = BooleanField()
    conditional = True
    columns = ("id", "region_id", "status", "image_type", "visibility", "owner_id", "external_owner")

    def __init__(self):
        super().__init__()
        self.column_refs = []

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        # The columns of the query's own image table, taken from the model: resolving each name as a path (F)
        # cost more than the rest of the condition.
        if self.column_refs:  # resolved: where the images are a subquery, Django resolves it again in the outer
            return self
        if query is None or not issubclass(query.model, Image):
            raise FieldError(f"{type(self).__name__} is a condition on images, not on {query and query.model}.")
        condition = self.copy()
        alias = query.get_initial_alias()
        condition.column_refs = [Image._meta.get_field(name).get_col(alias) for name in self.columns]
        return condition

    def get_source_expressions(self):
        return self.column_refs

    def set_source_expressions(self, expressions):
        self.column_refs = expressions

    def compile_columns(self, compiler) -> dict[str, str]:
        return {name: compiler.compile(ref)[0] for name, ref in zip(self.columns, self.column_refs, strict=True)}

    @staticmethod
    def member_exists(connection, image_id: str, project_id: str, statuses=()) -> tuple[str, list]:
        """EXISTS: the project is a member of the image (with one of `statuses`, when given)."""
        quote = connection.ops.quote_name
        sql = (
            f'EXISTS (SELECT 1 FROM {quote(ImageMember._meta.db_table)} AS "member" '
            f'WHERE "member"."image_id" = {image_id} AND "member"."project_id" = %s'
        )
        if statuses:
            sql += f' AND "member"."status" IN ({", ".join(["%s"] * len(statuses))})'
        return sql + ")", [project_id, *statuses]


class VisibleTo(ImageRowCondition):
    """What `visible_to` keeps: not deleted, in the region, and public, market, the project's own or shared with
    it. `cloud_admin` also reaches the images held for owners no project has."""

    def __init__(self, region_id: str, project_id: str, *, cloud_admin: bool):
        super().__init__()
        self.region_id, self.project_id, self.cloud_admin = region_id, project_id, cloud_admin

    @property
    def identity(self):
        return (VisibleTo, self.region_id, self.project_id, self.cloud_admin)

    def as_sql(self, compiler, connection):
        column = self.compile_columns(compiler)
        own = (
            f"{column['owner_id']} = %s OR {column['external_owner']} <> ''"
            if self.cloud_admin
            else f"({column['owner_id']} = %s AND {column['external_owner']} = '')"
        )
        shared, shared_params = self.member_exists(connection, column["id"], self.project_id)
        sql = (
            f"({column['region_id']} = %s AND {column['status']} <> %s"
            f" AND ({column['image_type']} IN (%s, %s) OR {column['visibility']} IN (%s, %s) OR {own} OR {shared}))"
        )
        params = [self.region_id, ImageStatus.DELETED, ImageType.GOLD, ImageType.MARKET]
        return sql, [*params, Visibility.PUBLIC, Visibility.COMMUNITY, self.project_id, *shared_params]


class NotSharedOrAnswered(ImageRowCondition):
    """Glance's `member_status`: an image shared with the project stays when the project's answer is `status`;
    images not shared with it (its own, public, community, other than private, and for a cloud administrator the
    images held for owners no project has) always stay."""

    def __init__(self, project_id: str, status: str, *, cloud_admin: bool):
        super().__init__()
        self.project_id, self.status, self.cloud_admin = project_id, status, cloud_admin

    @property
    def identity(self):
        return (NotSharedOrAnswered, self.project_id, self.status, self.cloud_admin)

    def as_sql(self, compiler, connection):
        column = self.compile_columns(compiler)
        answered, answered_params = self.member_exists(connection, column["id"], self.project_id, [self.status])
        held = f" OR {column['external_owner']} <> ''" if self.cloud_admin else ""
        sql = (
            f"({column['image_type']} <> %s OR {column['owner_id']} = %s"
            f" OR {column['visibility']} IN (%s, %s){held} OR {answered})"
        )
        params = [ImageType.PRIVATE, self.project_id, Visibility.PUBLIC, Visibility.COMMUNITY]
        return sql, [*params, *answered_params]


class OwnOrNotCommunity(ImageRowCondition):
    """Glance leaves the community images of other projects out of a list unless it asks for community images."""

    columns = ("visibility", "owner_id")

    def __init__(self, project_id: str):
        super().__init__()
        self.project_id = project_id

    @property
    def identity(self):
        return (OwnOrNotCommunity, self.project_id)

    def as_sql(self, compiler, connection):
        column = self.compile_columns(compiler)
        return f"({column['visibility']} <> %s OR {column['owner_id']} = %s)", [Visibility.COMMUNITY, self.project_id]


class AnsweredBy(ImageRowCondition):
    """The project is a member of the image with one of `statuses`."""

    columns = ("id",)

    def __init__(self, project_id: str, statuses):
        super().__init__()
        self.project_id, self.statuses = project_id, tuple(statuses)

    @property
    def identity(self):
        return (AnsweredBy, self.project_id, self.statuses)

    def as_sql(self, compiler, connection):
        return self.member_exists(connection, self.compile_columns(compiler)["id"], self.project_id, self.statuses)


class TagTexts(Expression):
    """The texts of an image's tags (`key=value`, or the bare key), by key, as a JSON array read with the image's
    row: a page's tags then cost no second query naming every listed image. Written as SQL rather than built from
    querysets, whose compiling cost more than the rest of a small page's query."""

    output_field = TextField()
    TEXT = """CASE WHEN "tag"."value" = '' THEN "tag"."key" ELSE "tag"."key" || '=' || "tag"."value" END"""

    def as_sql(self, compiler, connection):
        # SQLite before 3.44 cannot order within an aggregate: it aggregates an ordered select in its order.
        tags, image = self._names(compiler, connection)
        inner = f'SELECT "key", "value" FROM {tags} WHERE "image_id" = {image} ORDER BY "key"'
        return f'(SELECT json_group_array({self.TEXT}) FROM ({inner}) AS "tag")', []

    def as_postgresql(self, compiler, connection):
        tags, image = self._names(compiler, connection)
        select = (
            f'SELECT json_agg({self.TEXT} ORDER BY "tag"."key") FROM {tags} AS "tag" WHERE "tag"."image_id" = {image}'
        )
        return f"coalesce(({select}), '[]')::text", []

    @property
    def identity(self):
        # Every TagTexts is the same expression; Django's default reads the constructor's signature each time.
        return (TagTexts,)

    @staticmethod
    def _names(compiler, connection):
        quote = connection.ops.quote_name
        image = f"{quote(compiler.query.get_initial_alias())}.{quote(Image._meta.pk.column)}"
        return quote(ImageTag._meta.db_table), image


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255, db_index=True)
    description = models.CharField(_("description"), max_length=1024, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="images")
    owner = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="images")
    # The owner a cloud administrator named that is no project of the region (Glance stores any owner id): the
    # image is then held by the region's holding project (`owner`), and Glance shows this id as its owner.
    external_owner = models.CharField(max_length=255, blank=True, default="")
    image_type = models.CharField(max_length=8, choices=ImageType.choices, default=ImageType.PRIVATE)
    status = models.CharField(_("status"), max_length=16, choices=ImageStatus.choices, default=ImageStatus.QUEUED)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    # Glance's `os_hidden`: left out of image lists unless asked for; shown, used and shared as usual.
    os_hidden = models.BooleanField(default=False)
    # Glance's extra properties (any key the schema does not name), string values as its schema says.
    extra_properties = JSONField(default=dict, blank=True)
    disk_format = models.CharField(max_length=8, choices=DiskFormat.choices, default=DiskFormat.VHD)
    container_format = models.CharField(max_length=16, default="bare")
    size = models.BigIntegerField(default=0, help_text=_("Bytes of the stored file."))
    virtual_size = models.BigIntegerField(null=True, blank=True, help_text=_("Bytes of the virtual disk."))
    min_disk = models.PositiveIntegerField(_("minimum disk (GB)"), default=40)
    min_ram = models.PositiveIntegerField(_("minimum memory (MB)"), default=0)
    max_ram = models.PositiveIntegerField(_("maximum memory (MB)"), null=True, blank=True)
    os_type = models.CharField(max_length=8, choices=OsType.choices, default=OsType.LINUX)
    os_version = models.CharField(max_length=128, blank=True)
    os_bit = models.PositiveSmallIntegerField(default=64)
    platform = models.CharField(max_length=32, choices=Platform.choices, default=Platform.OTHER)
    architecture = models.CharField(max_length=4, choices=Architecture.choices, default=Architecture.X86)
    hw_firmware_type = models.CharField(max_length=4, choices=FirmwareType.choices, default=FirmwareType.BIOS)
    virtual_env_type = models.CharField(
        max_length=16, choices=VirtualEnvType.choices, default=VirtualEnvType.FUSION_COMPUTE
    )
    is_registered = models.BooleanField(default=True)
    protected = models.BooleanField(default=False)
    support_flags = JSONField(default=dict, blank=True, help_text=_('e.g. {"kvm": true, "kvm_gpu_type": "V100"}'))
    features = JSONField(default=list, blank=True)
    support_ends = models.DateField(null=True, blank=True)
    offline = models.BooleanField(default=False, help_text=_("Visible, but cannot create new servers."))
    multiqueue = models.BooleanField(default=False)
    system_support_market = models.BooleanField(default=False)
    checksum = models.CharField(max_length=32, blank=True)
    os_hash_algo = models.CharField(max_length=16, blank=True)
    os_hash_value = models.CharField(max_length=128, blank=True)
    root_origin = models.CharField(max_length=16, blank=True)
    data_origin = models.CharField(max_length=255, blank=True)
    original_image_id = models.CharField(max_length=36, blank=True)
    backup_id = models.CharField(max_length=64, blank=True)
    cmk_id = models.CharField(max_length=64, blank=True)
    # Encrypted images: the image's data key as the KMS provider wrapped it under key `cmk_id` (hex); never the key.
    wrapped_data_key = models.TextField(blank=True)
    enterprise_project_id = models.CharField(max_length=36, default="0")
    product_code = models.CharField(max_length=64, blank=True)
    # The disk's content in the chunk store; None until an import has finished.
    manifest = models.ForeignKey(
        "blobs.Manifest", null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    # The uploaded file as it came (a download serves the converted disk, described by the fields above).
    file_format = models.CharField(max_length=8, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    file_md5 = models.CharField(max_length=32, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    active_at = models.DateTimeField(null=True, blank=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at", "-id"]
        # Per-image grants: one permission per grantable IAM action, from the one list in images/object_grants.py.
        permissions = [(codename_for(action), label) for action, label in GRANTABLE_ACTIONS.items()]
        indexes = [
            models.Index(fields=["region", "image_type", "status"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["region", "-created_at", "-id"]),
            # Glance's exact-name filter (`?name=`) looks up one name among all of a region's images.
            models.Index(fields=["region", "name"], name="images_image_region_name_idx"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        """A row read whole (every list reads pages of up to 1,000) goes straight into the instance: Model.__init__
        matched each value to its field one by one, a third of the time of such a page. Nothing listens to an
        image's init signals (tests/images/test_image_rows.py holds that); a partial row takes Django's path."""
        if len(values) != len(cls._meta.concrete_fields):
            return super().from_db(db, field_names, values)
        image = cls.__new__(cls)
        image.__dict__.update(zip(field_names, values, strict=True))
        image._state = ModelState()
        image._state.adding = False
        image._state.db = db
        return image

    def urn(self) -> str:
        return f"ims:{self.region_id}:{self.owner_id}:image:{self.id}"

    def actions_granted_to(self, actor) -> frozenset[str]:
        return actions_granted(actor.user, actor.account.pk, self)

    @property
    def encrypted(self) -> bool:
        return bool(self.cmk_id)

    def support_status(self, today: date | None = None) -> str | None:
        if self.image_type != ImageType.GOLD:
            return None
        today = today or timezone.localdate()
        if self.support_ends is None:
            return SupportStatus.SUPPORTED
        if self.support_ends < today:
            return SupportStatus.ENDED
        if self.support_ends - today <= SUPPORT_ENDING_WINDOW:
            return SupportStatus.ENDING
        return SupportStatus.SUPPORTED

    def image_type_for(self, project: Project) -> str:
        """`__imagetype` as the viewer sees it: another tenant's private image is 'shared' to its members."""
        # An image held for an unknown owner is nobody's share: Glance shows the visibility it was given.
        if self.image_type == ImageType.PRIVATE and self.owner_id != project.id and not self.external_owner:
            return ImageType.SHARED
        return self.image_type


class ImageTag(models.Model):
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["image", "key"], name="one_value_per_tag_key")]
        indexes = [models.Index(fields=["key", "value"])]

    def __str__(self):
        return f"{self.key}={self.value}"


class ImageMember(models.Model):
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="members")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shared_images")
    status = models.CharField(max_length=8, choices=MemberStatus.choices, default=MemberStatus.PENDING)
    member_type = models.CharField(max_length=16, default="project")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "project"], name="one_membership_per_project")]

    def __str__(self):
        return f"{self.image_id} → {self.project_id} ({self.status})"


class JobStatus(models.TextChoices):
    INIT = "INIT", _("Waiting")
    RUNNING = "RUNNING", _("Running")
    SUCCESS = "SUCCESS", _("Succeeded")
    FAIL = "FAIL", _("Failed")


# A job in one of these states still holds its image, its staging folder and a task-quota slot.
ACTIVE_JOB_STATES = (JobStatus.INIT, JobStatus.RUNNING)


class JobQuerySet(models.QuerySet):
    def visible_to(self, actor):
        return self.filter(project=actor.project)


class Job(models.Model):
    """One asynchronous operation, as the job API and the console's progress bars show it."""

    id = models.CharField(primary_key=True, max_length=32, default=new_hex_id, editable=False)
    job_type = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.INIT, db_index=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    image = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    phase = models.CharField(max_length=32, blank=True)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    percent = models.FloatField(default=0.0)
    entities = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    fail_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    begin_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The process running the job, "<hostname>:<pid>": a worker restarting on that host fails at once the jobs
    # of a process that no longer exists, without waiting for their heartbeat to go stale.
    worker = models.CharField(max_length=300, blank=True, default="")
    # Jobs of one family lock their image: at most one of them waits or runs at a time ("copy").
    family = models.CharField(max_length=16, blank=True, default="")

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "family"],
                name="one_active_task_per_image_family",
                condition=Q(status__in=["INIT", "RUNNING"]) & ~Q(family=""),
            ),
        ]

    def __str__(self):
        return f"{self.job_type} {self.id}"


class MarketListing(models.Model):
    """A market image as the platform operator published it: the vendor's product, shown to every tenant of the
    region. The listed image is a manifest copy of the operator's private `source` image (no bytes written); the
    source is marked `system_support_market` while listed, so it can be neither shared nor deleted."""

    image = models.OneToOneField(Image, on_delete=models.PROTECT, related_name="market_listing")
    source = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="market_publications")
    vendor = models.CharField(_("vendor"), max_length=128)
    product_code = models.CharField(_("product code"), max_length=64, unique=True)
    price_label = models.CharField(
        _("price label"), max_length=64, blank=True, help_text=_("Informational only: nothing is billed.")
    )
    description = models.TextField(_("description"), blank=True)
    usage_notes = models.TextField(_("usage notes"), blank=True)
    software = models.CharField(_("OS and software"), max_length=512, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    listed = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["vendor", "image__name"]
        verbose_name = _("market listing")
        verbose_name_plural = _("market listings")

    def __str__(self):
        return f"{self.vendor} · {self.product_code}"
