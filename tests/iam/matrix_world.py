"""The permission matrix's actors and worlds: who holds which actions (written out by hand, never asked of the
engine), and a fresh world of tenant A's resources built for one case.

Actor kinds, all users of tenant A ("alpha") unless said:
  full_access          IMS FullAccess + Tenant Administrator (the project's "admin"): Tenant Administrator is
                       added because the IMS policies keep OBS apart, and imports read their source object.
  read_only            IMS ReadOnlyAccess.
  ims_admin            IMS Administrator + Tenant Administrator (the role with its dependency).
  ims_admin_alone      IMS Administrator without Tenant Administrator (rows written by hand): no effect at all.
  custom_allow         a custom policy allowing ims:images:list, ims:images:get and ims:images:update only.
  custom_deny          IMS FullAccess (without Tenant Administrator, so no OBS) + a custom Deny of
                       ims:images:delete* and ims:*:update: denied exactly those.
  image_grant          IMS ReadOnlyAccess + ims:images:update granted (django-guardian) on the image acted on.
  image_grant_elsewhere  the same grant, but on a sibling image: the image acted on gets nothing from it.
  no_grant             a user in no group.
  other_tenant         tenant B's administrator (FullAccess + Tenant Administrator) acting on A's resources.
  other_region         A's FullAccess + Tenant Administrator granted in project cn-north-4 only, acting in A's
                       project of cn-east-3 (the world is built there).
"""

import io
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from iam import seeding as iam
from iam.actors import system_actor
from iam.authz import ACCOUNT_ADMINISTRATION
from iam.credentials import create_access_key
from iam.models import AccessKey, Policy
from iam.policies import IMS_ADMINISTRATOR, IMS_FULL_ACCESS, IMS_READ_ONLY, TENANT_ADMINISTRATOR
from images.blobs.models import Manifest
from images.choices import ImageStatus
from images.models import Image, ImageMember, ImageTag, Job
from images.object_grants import grant_image_action
from images.services import jobs
from obs import services as obs
from obs.models import Bucket, StoredObject, Upload, UploadPart
from tests import factories
from tests.iam import matrix_compute, matrix_kms, matrix_metadefs

HOME_REGION = "cn-north-4"
FAR_REGION = "cn-east-3"
COPY_REGION = "cn-south-1"  # a destination differing from both regions worlds are built in
NEW_PASSWORD = "Brand-New-Staple-77"
PART = b"0123456789"

# ---- what each kind holds: the expectation, independent of iam.authz ------------------------------------------

IMS = frozenset(
    {
        "ims:images:list",
        "ims:images:get",
        "ims:images:create",
        "ims:images:update",
        "ims:images:delete",
        "ims:images:upload",
        "ims:images:export",
        "ims:images:share",
        "ims:images:copy",
        "ims:serverImages:create",
        "ims:dataImages:create",
        "ims:wholeImages:create",
        "ims:quotas:get",
    }
)
OBS = frozenset(
    {
        "obs:buckets:list",
        "obs:buckets:create",
        "obs:buckets:delete",
        "obs:objects:list",
        "obs:objects:put",
        "obs:objects:get",
        "obs:objects:delete",
    }
)
READ = frozenset({"ims:images:list", "ims:images:get", "ims:quotas:get"})

HOLDS: dict[str, frozenset] = {
    "full_access": IMS | OBS | matrix_compute.COMPUTE | matrix_kms.KMS,
    "read_only": READ,
    "ims_admin": IMS | OBS | matrix_compute.COMPUTE | matrix_kms.KMS,
    "ims_admin_alone": frozenset(),
    "custom_allow": frozenset({"ims:images:list", "ims:images:get", "ims:images:update"}),
    "custom_deny": IMS - {"ims:images:delete", "ims:images:update"},
    "image_grant": READ,
    "image_grant_elsewhere": READ,
    "no_grant": frozenset(),
    # In tenant B: A's resources are not there for it.
    "other_tenant": IMS | OBS | matrix_compute.COMPUTE | matrix_kms.KMS,
    "other_region": frozenset(),  # nothing applies in cn-east-3
}
# Held on the one image acted on (when the check names that image), beyond HOLDS.
ON_THE_IMAGE: dict[str, frozenset] = {"image_grant": frozenset({"ims:images:update"})}
KINDS = tuple(HOLDS)

ALLOWED, DENIED, NOT_FOUND = "allowed", "denied", "not_found"


def expected(kind: str, needed: set, *, on_own_image: bool, foreign: bool) -> str:
    """The product's answer for `kind` doing an operation that needs `needed` (`on_own_image`: the check names
    one of A's images; `foreign`: the operation reaches a resource of A's)."""
    if kind == "other_tenant" and foreign:
        return NOT_FOUND
    held = HOLDS[kind] | (ON_THE_IMAGE.get(kind, frozenset()) if on_own_image else frozenset())
    return ALLOWED if needed <= held else DENIED


# ---- actors ------------------------------------------------------------------------------------------------------


def _custom(account, name: str, statements: list) -> Policy:
    policy = Policy(
        kind=Policy.Kind.CUSTOM, account=account, name=name, document={"Version": "1.1", "Statement": statements}
    )
    policy.full_clean()
    policy.save()
    return policy


def _user(account, username: str, policies: list, project=None):
    group = iam.ensure_group(account, f"group-{username}", policies, project)
    user, _ = iam.ensure_user(account, username, factories.PASSWORD, groups=[group])
    return user


def make_actor_user(kind: str, alpha, bravo):
    system = iam.ensure_system_policies()
    full, tenant = system[IMS_FULL_ACCESS], system[TENANT_ADMINISTRATOR]
    if kind == "full_access":
        return _user(alpha, "m-full", [full, tenant])
    if kind in ("read_only", "image_grant", "image_grant_elsewhere"):
        return _user(alpha, f"m-{kind}", [system[IMS_READ_ONLY]])
    if kind == "ims_admin":
        return _user(alpha, "m-admin", [tenant, system[IMS_ADMINISTRATOR]])
    if kind == "ims_admin_alone":
        return _user(alpha, "m-admin-alone", [system[IMS_ADMINISTRATOR]])  # ensure_group skips the dependency check
    if kind == "custom_allow":
        return _user(
            alpha,
            "m-custom",
            [
                _custom(
                    alpha,
                    "matrix-allow",
                    [{"Effect": "Allow", "Action": ["ims:images:list", "ims:images:get", "ims:images:update"]}],
                )
            ],
        )
    if kind == "custom_deny":
        return _user(
            alpha,
            "m-deny",
            [
                full,
                _custom(alpha, "matrix-deny", [{"Effect": "Deny", "Action": ["ims:images:delete*", "ims:*:update"]}]),
            ],
        )
    if kind == "no_grant":
        return _user(alpha, "m-nobody", [])
    if kind == "other_tenant":
        return _user(bravo, "m-bravo", [full, tenant])
    if kind == "other_region":
        return _user(alpha, "m-regional", [full, tenant], project=factories.project_of(alpha, HOME_REGION))
    raise ValueError(kind)


# ---- the world ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    kind: str
    alpha: object
    bravo: object
    charlie: object
    user: object
    project: object  # A's project the resources live in (cn-east-3 for other_region)
    actor_project: object  # the project the actor works in
    image: Image | None = None
    sibling: Image | None = None
    queued: Image | None = None
    shared_in: Image | None = None  # charlie's image shared with A's project, pending
    bucket: Bucket | None = None
    upload: Upload | None = None
    job: Job | None = None
    key: AccessKey | None = None
    listing: object = None  # A's image published to the market (images.models.MarketListing)
    server: object = None  # compute: a running server of A's with one data disk (tests/iam/matrix_compute.py)
    disk: object = None  # an available disk
    backup: object = None  # a backup of the server

    @property
    def region_id(self) -> str:
        return self.project.region_id

    @property
    def charlie_project(self):
        return factories.project_of(self.charlie, self.region_id)

    @property
    def object_url(self) -> str:
        return f"{self.bucket.name}:disk.raw"

    def actor(self):
        from iam.actors import actor_for_user

        return actor_for_user(self.user, self.actor_project, via="api")


def _active_image(project, name: str, **fields) -> Image:
    manifest = Manifest.objects.create(region=project.region, virtual_size=1024 * 1024)
    return factories.make_image(project, name=name, manifest=manifest, size=1024 * 1024, tags={"env": "prod"}, **fields)


@dataclass
class Base:
    """What every world shares: the identity, the three accounts and one user of each kind (built once)."""

    alpha: object
    bravo: object
    charlie: object
    users: dict  # kind -> user id


def build_base() -> Base:
    factories.setup_identity()
    alpha, bravo, charlie = (factories.make_account(name) for name in ("alpha", "bravo", "charlie"))
    return Base(alpha, bravo, charlie, {kind: make_actor_user(kind, alpha, bravo).pk for kind in KINDS})


def build_world(kind: str, parts: frozenset, base: Base | None = None) -> World:
    base = base or build_base()
    alpha, bravo, charlie = base.alpha, base.bravo, base.charlie
    region = FAR_REGION if kind == "other_region" else HOME_REGION
    project = factories.project_of(alpha, region)
    user = get_user_model().objects.select_related("iam__account").get(pk=base.users[kind])
    actor_project = factories.project_of(bravo if kind == "other_tenant" else alpha, region)
    world = World(kind, alpha, bravo, charlie, user, project, actor_project)
    system = system_actor(project)
    world.image = _active_image(project, "target")
    world.sibling = factories.make_image(project, name="sibling")
    if "queued" in parts:
        world.queued = factories.make_image(
            project, name="queued", status=ImageStatus.QUEUED, manifest=None, disk_format="raw"
        )
    if "staged" in parts:  # the queued image's file staged for a glance-direct import
        from images.services.glance_import import glance_stage_image_data

        stream = io.BytesIO(PART * 10)
        world.queued = glance_stage_image_data(system, image=world.queued, stream=stream, content_length=100)
    if "shared_in" in parts:
        world.shared_in = _active_image(factories.project_of(charlie, region), "from-charlie")
        factories.share(world.shared_in, project)
    if "member" in parts:
        factories.share(world.image, world.charlie_project, status="accepted")
    if parts & {"bucket", "object", "upload", "upload_ready"}:
        # A name of its own per case: in S3 mode the objects of rolled-back cases stay in the shared S3 bucket.
        world.bucket = obs.create_bucket(system, name=f"alpha-{uuid.uuid4().hex[:12]}")
    if "object" in parts:
        obs.put_object(system, bucket=world.bucket.name, key="disk.raw", stream=io.BytesIO(PART * 100), size=1000)
    if parts & {"upload", "upload_ready"}:
        world.upload = obs.start_upload(system, bucket=world.bucket.name, key="big.bin", size=len(PART))
    if "upload_ready" in parts:
        obs.put_part(system, upload_id=world.upload.pk, number=1, stream=io.BytesIO(PART), size=len(PART))
    if "job" in parts:
        world.job = jobs.new_job(system, "createImageByFile", world.image)
    if "listing" in parts:
        from images.services.market import MarketProduct, publish_market_image

        source = _active_image(project, "to-market")
        world.listing = publish_market_image(system, image=source, product=MarketProduct("Vendor", "matrix-code"))
    if "key" in parts:
        owner = world.user if kind != "other_tenant" else _user(alpha, "m-owner", [])
        world.key, _secret = create_access_key(user=owner, description="matrix")
    if parts & matrix_compute.PARTS:
        matrix_compute.build(world, parts, system)
    if parts & matrix_kms.PARTS:
        matrix_kms.build(world, parts, system)
    if parts & matrix_metadefs.PARTS:
        matrix_metadefs.build(world, parts, system)
    _grant(world)
    return world


def _grant(world: World) -> None:
    if world.kind == "image_grant":
        for image in (world.image, world.queued):
            if image is not None:
                grant_image_action(world.user, image, "ims:images:update")
    elif world.kind == "image_grant_elsewhere":
        grant_image_action(world.user, world.sibling, "ims:images:update")


def fingerprint(account) -> tuple:
    """Everything of `account` an operation could change, to prove a refused one changed nothing."""
    rows = (
        Image.objects.filter(owner__account=account).values_list("id", "name", "status", "manifest_id"),
        ImageTag.objects.filter(image__owner__account=account).values_list("image_id", "key", "value"),
        ImageMember.objects.filter(image__owner__account=account).values_list("image_id", "project_id", "status"),
        ImageMember.objects.filter(project__account=account).values_list("image_id", "project_id", "status"),
        Bucket.objects.filter(account=account).values_list("name", "region_id"),
        StoredObject.objects.filter(bucket__account=account).values_list("bucket__name", "key", "size"),
        Upload.objects.filter(bucket__account=account).values_list("id", "status"),
        UploadPart.objects.filter(upload__bucket__account=account).values_list("upload_id", "number"),
        Job.objects.filter(project__account=account).values_list("id", "status"),
        AccessKey.objects.filter(user__iam__account=account).values_list("access_key", "is_active"),
        get_user_model().objects.filter(iam__account=account).values_list("username", "password"),
        *matrix_compute.fingerprint_rows(account),
        *matrix_kms.fingerprint_rows(account),
        *matrix_metadefs.fingerprint_rows(account),
    )
    return tuple(sorted(map(str, query)) for query in rows)


# ---- every operation of the catalogue: a valid request through its face, and the same through its service ------


@dataclass(frozen=True)
class Case:
    api: object  # (client, world) -> response; a console client for console-only operations
    service: object = None  # (actor, world) -> result; None: nothing beneath the face (see SERVICELESS)
    parts: frozenset = frozenset()  # what the world needs
    image: str | None = None  # the World attribute of the image the permission check names
    also_needs: frozenset = frozenset()  # actions beyond the catalogue's that the operation needs
    foreign: bool = True  # reaches a resource of A's (the other tenant must not find it)
    face: str = "api"  # "api" (AK/SK), "console" (signed-in browser), "public" (no credentials), "admin" (see ADMIN)
    refusal: str = ""  # the product's error code when an allowed request is still refused by a rule (409)


def case(api, service=None, parts=(), **options) -> Case:
    return Case(api, service, frozenset(parts), **options)


RENAME = [{"op": "replace", "path": "/name", "value": "renamed"}]
GLANCE_21 = "application/openstack-images-v2.1-json-patch"
READS_SOURCE = frozenset({"obs:objects:get"})  # imports read their bucket:key as the caller (obs.services.reading)
OCTETS = "application/octet-stream"


def _whole_body(w) -> dict:
    return {"name": "matrix-whole", "instance_id": str(w.server.pk)}


def _whole_image(actor, w):
    from images.services import imports

    return imports.create_whole_image(actor, **_whole_body(w))


def _import_body(w, **extra) -> dict:
    return {"name": "matrix-new", "image_url": w.object_url, **extra}


def _server_import(path: str, service_name: str, **extra) -> Case:
    from images.services import imports

    def service(a, w):
        return getattr(imports, service_name)(a, min_disk=40, **_import_body(w, **extra))

    return case(
        lambda c, w: c.send("POST", path, _import_body(w, **extra)), service, ["object"], also_needs=READS_SOURCE
    )


def _image_job(path: str, service, body, arguments=None, **options) -> Case:
    """`body(w)` is the API's request body, `arguments(w)` the service's keyword arguments (the body's own)."""
    arguments = arguments or body
    return case(
        lambda c, w: c.send("POST", path.format(id=w.image.id), body(w)),
        lambda a, w: service(a, image=w.image, **arguments(w)),
        options.pop("parts", ()),
        image="image",
        **options,
    )


def _export_body(w) -> dict:
    return {"bucket_url": f"{w.bucket.name}:export.qcow2", "file_format": "qcow2"}


def _far_copy_body(w) -> dict:
    return {"name": "matrix-far", "region": COPY_REGION, "project_name": COPY_REGION, "agency_name": "ims_agency"}


def _tags_path(c, w, tail: str = "") -> str:
    return f"/v2/{c.project_id}/images/{w.image.id}/tags{tail}"


def _console_get(path):
    return lambda c, w: c.get(path)


def build_cases() -> dict[str, Case]:
    from iam import account
    from images import selectors
    from images.services import (
        copy,
        csv_export,
        delete,
        export,
        glance_import,
        grants,
        imports,
        lifecycle,
        market,
        members,
        tags,
        update,
    )

    upload = ["upload"]
    return {
        "list_images": case(
            lambda c, w: c.get("/v2/cloudimages"), lambda a, w: selectors.list_images(a, {}), foreign=False
        ),
        "update_image": case(
            lambda c, w: c.send("PATCH", f"/v2/cloudimages/{w.image.id}", RENAME),
            lambda a, w: update.update_image(a, image=w.image, changes=[update.Change("replace", "name", "renamed")]),
            image="image",
        ),
        "glance_list_images": case(
            lambda c, w: c.get("/v2/images"), lambda a, w: selectors.list_images(a, {}, default_limit=25), foreign=False
        ),
        "glance_show_image": case(
            lambda c, w: c.get(f"/v2/images/{w.image.id}"),
            lambda a, w: selectors.get_image(a, w.image.id),
            image="image",
        ),
        "glance_update_image": case(
            lambda c, w: c.send("PATCH", f"/v2/images/{w.image.id}", RENAME, content_type=GLANCE_21),
            lambda a, w: update.glance_update_image(
                a, image=w.image, changes=[update.Change("replace", "name", "renamed")]
            ),
            image="image",
        ),
        "glance_delete_image": case(
            lambda c, w: c.send("DELETE", f"/v2/images/{w.image.id}"),
            lambda a, w: delete.glance_delete_image(a, image=w.image),
            image="image",
        ),
        "glance_deactivate_image": case(
            lambda c, w: c.send("POST", f"/v2/images/{w.image.id}/actions/deactivate"),
            lambda a, w: lifecycle.glance_deactivate_image(a, image=w.image),
            image="image",
        ),
        "glance_reactivate_image": case(
            lambda c, w: c.send("POST", f"/v2/images/{w.image.id}/actions/reactivate"),
            lambda a, w: lifecycle.glance_reactivate_image(a, image=w.image),
            image="image",
        ),
        "create_image": _server_import(
            "/v2/cloudimages/action", "create_image", os_version="Ubuntu 22.04 server 64bit"
        ),
        "create_image_in_safe_mode": _server_import(
            "/v2.1/cloudimages/action", "create_image_in_safe_mode", os_version="Ubuntu 22.04 server 64bit"
        ),
        "create_data_image": _server_import("/v1/cloudimages/dataimages/action", "create_data_image"),
        "create_data_image_in_safe_mode": _server_import(
            "/v2.1/cloudimages/dataimages/action", "create_data_image_in_safe_mode"
        ),
        # Of A's server: its backup in the vault, then the image (tests/iam/matrix_compute.py builds the server).
        "create_whole_image": case(
            lambda c, w: c.send("POST", "/v1/cloudimages/wholeimages/action", _whole_body(w)),
            _whole_image,
            ["server"],
            also_needs=frozenset({"ecs:cloudServers:get"}),
        ),
        "glance_create_image_metadata": case(
            lambda c, w: c.send("POST", "/v2/images", {"name": "matrix-meta", "disk_format": "qcow2"}),
            lambda a, w: imports.glance_create_image_metadata(a, name="matrix-meta", disk_format="qcow2"),
            foreign=False,
        ),
        "register_image": case(
            lambda c, w: c.send("PUT", f"/v1/cloudimages/{w.queued.id}/upload", {"image_url": w.object_url}),
            lambda a, w: imports.register_image(a, image=w.queued, image_url=w.object_url),
            ["queued", "object"],
            image="queued",
            also_needs=READS_SOURCE,
        ),
        "import_image_quick": _server_import(
            "/v2/cloudimages/quickimport/action", "import_image_quick", os_version="Ubuntu 22.04 server 64bit"
        ),
        "import_image_quick_in_safe_mode": _server_import(
            "/v2.1/cloudimages/quickimport/action",
            "import_image_quick_in_safe_mode",
            os_version="Ubuntu 22.04 server 64bit",
        ),
        "glance_upload_image_file": case(
            lambda c, w: c.send("PUT", f"/v2/images/{w.queued.id}/file", data=PART * 10, content_type=OCTETS),
            lambda a, w: imports.glance_upload_image_file(
                a, image=w.queued, stream=io.BytesIO(PART * 10), content_length=100
            ),
            ["queued"],
            image="queued",
        ),
        "glance_stage_image_data": case(
            lambda c, w: c.send("PUT", f"/v2/images/{w.queued.id}/stage", data=PART * 10, content_type=OCTETS),
            lambda a, w: glance_import.glance_stage_image_data(
                a, image=w.queued, stream=io.BytesIO(PART * 10), content_length=100
            ),
            ["queued"],
            image="queued",
        ),
        "glance_import_image": case(
            lambda c, w: c.send("POST", f"/v2/images/{w.queued.id}/import", {"method": {"name": "glance-direct"}}),
            lambda a, w: glance_import.glance_import_image(a, image=w.queued, method="glance-direct"),
            ["queued", "staged"],
            image="queued",
        ),
        "glance_download_image_file": case(
            lambda c, w: c.get(f"/v2/images/{w.image.id}/file"),
            lambda a, w: imports.glance_download_image_file(a, image_id=w.image.id),
            image="image",
        ),
        "export_image": _image_job("/v1/cloudimages/{id}/file", export.export_image, _export_body, parts=["bucket"]),
        "export_image_in_safe_mode": _image_job(
            "/v2.1/cloudimages/{id}/file", export.export_image_in_safe_mode, _export_body, parts=["bucket"]
        ),
        "copy_image_in_region": _image_job(
            "/v1/cloudimages/{id}/copy", copy.copy_image_in_region, lambda w: {"name": "matrix-copy"}
        ),
        "copy_image_in_region_in_safe_mode": _image_job(
            "/v2.1/cloudimages/{id}/copy", copy.copy_image_in_region_in_safe_mode, lambda w: {"name": "matrix-copy"}
        ),
        "copy_image_cross_region": _image_job(
            "/v1/cloudimages/{id}/cross_region_copy",
            copy.copy_image_cross_region,
            _far_copy_body,
            lambda w: {"name": "matrix-far", "region": COPY_REGION, "project_name": COPY_REGION},
        ),
        "batch_add_members": case(
            lambda c, w: c.send(
                "POST", "/v1/cloudimages/members", {"images": [str(w.image.id)], "projects": [w.charlie_project.id]}
            ),
            lambda a, w: members.batch_add_members(a, images=[str(w.image.id)], projects=[w.charlie_project.id]),
        ),
        "batch_delete_members": case(
            lambda c, w: c.send(
                "DELETE", "/v1/cloudimages/members", {"images": [str(w.image.id)], "projects": [w.charlie_project.id]}
            ),
            lambda a, w: members.batch_delete_members(a, images=[str(w.image.id)], projects=[w.charlie_project.id]),
            ["member"],
        ),
        "batch_update_members": case(
            lambda c, w: c.send(
                "PUT", "/v1/cloudimages/members", {"images": [str(w.shared_in.id)], "status": "accepted"}
            ),
            lambda a, w: members.batch_update_members(a, images=[str(w.shared_in.id)], status="accepted"),
            ["shared_in"],
        ),
        "list_image_members": case(
            lambda c, w: c.get(f"/v1/{c.project_id}/cloudimages/{w.image.id}/members"),
            lambda a, w: members.list_image_members(a, image_id=w.image.id),
            ["member"],
        ),
        "show_image_member": case(
            lambda c, w: c.get(f"/v1/{c.project_id}/cloudimages/{w.image.id}/members/{w.charlie_project.id}"),
            lambda a, w: members.show_image_member(a, image_id=w.image.id, member_id=w.charlie_project.id),
            ["member"],
        ),
        "glance_add_image_member": case(
            lambda c, w: c.send("POST", f"/v2/images/{w.image.id}/members", {"member": w.charlie_project.id}),
            lambda a, w: members.glance_add_image_member(a, image=w.image, member_id=w.charlie_project.id),
            image="image",
        ),
        "glance_list_image_members": case(
            lambda c, w: c.get(f"/v2/images/{w.image.id}/members"),
            lambda a, w: members.glance_list_image_members(a, image_id=w.image.id),
            ["member"],
        ),
        "glance_show_image_member": case(
            lambda c, w: c.get(f"/v2/images/{w.image.id}/members/{w.charlie_project.id}"),
            lambda a, w: members.glance_show_image_member(a, image_id=w.image.id, member_id=w.charlie_project.id),
            ["member"],
        ),
        "glance_update_image_member": case(
            lambda c, w: c.send("PUT", f"/v2/images/{w.shared_in.id}/members/{w.project.id}", {"status": "accepted"}),
            lambda a, w: members.glance_update_image_member(
                a, image=w.shared_in, member_id=w.project.id, status="accepted"
            ),
            ["shared_in"],
            image="shared_in",
        ),
        "glance_delete_image_member": case(
            lambda c, w: c.send("DELETE", f"/v2/images/{w.image.id}/members/{w.charlie_project.id}"),
            lambda a, w: members.glance_delete_image_member(a, image=w.image, member_id=w.charlie_project.id),
            ["member"],
            image="image",
        ),
        "create_or_update_tags": case(
            lambda c, w: c.send("PUT", "/v1/cloudimages/tags", {"image_id": str(w.image.id), "tag": "team.web"}),
            lambda a, w: tags.create_or_update_tags(a, image=w.image, tags={"team": "web"}),
            image="image",
        ),
        "list_tags": case(
            lambda c, w: c.get("/v1/cloudimages/tags"), lambda a, w: tags.list_tags(a, query={}), foreign=False
        ),
        "batch_delete_tags": case(
            lambda c, w: c.send(
                "DELETE",
                f"/v1/{c.project_id}/cloudimages/{w.image.id}/tags/delete",
                {"tags": [{"key": "env", "value": "prod"}]},
            ),
            lambda a, w: tags.batch_delete_tags(a, image=w.image, tags={"env": "prod"}),
            image="image",
        ),
        "add_image_tag": case(
            lambda c, w: c.send("POST", _tags_path(c, w), {"tag": {"key": "team", "value": "web"}}),
            lambda a, w: tags.add_image_tag(a, image=w.image, tags={"team": "web"}),
            image="image",
        ),
        "batch_add_or_delete_tags": case(
            lambda c, w: c.send(
                "POST", _tags_path(c, w, "/action"), {"action": "create", "tags": [{"key": "team", "value": "web"}]}
            ),
            lambda a, w: tags.batch_add_or_delete_tags(a, image=w.image, action="create", tags={"team": "web"}),
            image="image",
        ),
        "delete_image_tag": case(
            lambda c, w: c.send("DELETE", _tags_path(c, w, "/env")),
            lambda a, w: tags.delete_image_tag(a, image=w.image, key="env"),
            image="image",
        ),
        "list_image_tags": case(
            lambda c, w: c.get(_tags_path(c, w)), lambda a, w: tags.list_image_tags(a, image=w.image), image="image"
        ),
        "list_images_tags": case(
            lambda c, w: c.get(f"/v2/{c.project_id}/images/tags"), lambda a, w: tags.list_images_tags(a), foreign=False
        ),
        "list_image_by_tags": case(
            lambda c, w: c.send("POST", f"/v2/{c.project_id}/images/resource_instances/action", {"action": "filter"}),
            lambda a, w: tags.list_image_by_tags(a, action="filter"),
            foreign=False,
        ),
        "glance_create_tag": case(
            lambda c, w: c.send("PUT", f"/v2/images/{w.image.id}/tags/team"),
            lambda a, w: tags.glance_create_tag(a, image=w.image, tag="team"),
            image="image",
        ),
        "glance_delete_tag": case(
            lambda c, w: c.send("DELETE", f"/v2/images/{w.image.id}/tags/env"),
            lambda a, w: tags.glance_delete_tag(a, image=w.image, tag="env"),
            image="image",
        ),
        "show_image_quota": case(
            lambda c, w: c.get("/v1/cloudimages/quota"), lambda a, w: selectors.show_image_quota(a), foreign=False
        ),
        "show_job": case(
            lambda c, w: c.get(f"/v1/{c.project_id}/jobs/{w.job.id}"),
            lambda a, w: selectors.get_job(a, w.job.id),
            ["job"],
        ),
        "show_job_progress": case(
            lambda c, w: c.get(f"/v1/cloudimages/job/{w.job.id}"), lambda a, w: selectors.get_job(a, w.job.id), ["job"]
        ),
        "list_os_versions": case(
            lambda c, w: c.get("/v1/cloudimages/os_version"), lambda a, w: selectors.list_os_versions(a), foreign=False
        ),
        "cancel_job": case(
            lambda c, w: c.post(f"/console/images/jobs/{w.job.id}/cancel"),
            lambda a, w: jobs.cancel_job(a, job=w.job),
            ["job"],
            face="console",
        ),
        "list_versions": case(_console_get("/"), foreign=False, face="public"),
        "show_version": case(_console_get("/v2"), foreign=False, face="public"),
        "glance_list_image_schemas": case(_console_get("/v2/schemas/images"), foreign=False, face="public"),
        "glance_show_import_info": case(_console_get("/v2/info/import"), foreign=False, face="public"),
        "glance_show_stores_info": case(_console_get("/v2/info/stores"), foreign=False, face="public"),
        "glance_show_image_schemas": case(_console_get("/v2/schemas/image"), foreign=False, face="public"),
        "glance_list_image_member_schemas": case(_console_get("/v2/schemas/members"), foreign=False, face="public"),
        "glance_show_image_member_schemas": case(_console_get("/v2/schemas/member"), foreign=False, face="public"),
        "export_image_list": case(
            _console_get("/console/images/export.csv?imagetype=private"),
            lambda a, w: list(csv_export.export_image_list(a, image_type="private", query={})),
            foreign=False,
            face="console",
        ),
        "login": case(
            lambda c, w: c.post("/v3/auth/tokens", _keystone(w), content_type="application/json"),
            foreign=False,
            face="public",
        ),
        "logout": case(lambda c, w: c.post("/console/logout"), foreign=False, face="console"),
        "change_password": case(
            lambda c, w: c.post(
                "/console/account/password",
                {"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            ),
            lambda a, w: account.change_password(a, old_password=factories.PASSWORD, new_password=NEW_PASSWORD),
            foreign=False,
            face="console",
        ),
        "create_own_access_key": case(
            lambda c, w: c.post("/console/account/keys/create", {"description": "matrix"}),
            lambda a, w: account.create_own_access_key(a, description="matrix"),
            foreign=False,
            face="console",
        ),
        "set_access_key_status": case(
            lambda c, w: c.post(f"/console/account/keys/{w.key.access_key}/status", {"active": "false"}),
            lambda a, w: account.set_access_key_status(a, key=w.key, active=False),
            ["key"],
            face="console",
        ),
        "delete_access_key": case(
            lambda c, w: c.post(f"/console/account/keys/{w.key.access_key}/delete"),
            lambda a, w: account.delete_access_key(a, key=w.key),
            ["key"],
            face="console",
        ),
        "grant_image_to_user": case(
            None,
            lambda a, w: grants.grant_image_to_user(a, image=w.image, user=w.user, action="ims:images:get"),
            image="image",
            face="admin",
            also_needs=frozenset({ACCOUNT_ADMINISTRATION}),  # no kind here administers its account
        ),
        "revoke_image_from_user": case(
            None,
            lambda a, w: grants.revoke_image_from_user(a, image=w.image, user=w.user, action="ims:images:update"),
            image="image",
            face="admin",
            also_needs=frozenset({ACCOUNT_ADMINISTRATION}),  # no kind here administers its account
        ),
        # The platform operator's alone: no tenant kind here may publish or withdraw, whatever its policies.
        "publish_market_image": case(
            None,
            lambda a, w: market.publish_market_image(a, image=w.image, product=market.MarketProduct("V", "m-new")),
            image="image",
            face="admin",
            foreign=False,
            also_needs=frozenset({market.MARKET_PUBLISHING}),
        ),
        "unpublish_market_image": case(
            None,
            lambda a, w: market.unpublish_market_image(a, listing=w.listing),
            ["listing"],
            face="admin",
            foreign=False,
            also_needs=frozenset({market.MARKET_PUBLISHING}),
        ),
        **matrix_compute.cases(case),
        **matrix_kms.cases(case),
        **matrix_metadefs.cases(case),
        "list_buckets": case(lambda c, w: c.get("/v1/obs/buckets"), lambda a, w: obs.list_buckets(a), foreign=False),
        "create_bucket": case(
            lambda c, w: c.send("POST", "/v1/obs/buckets", {"name": "matrix-new-bucket"}),
            lambda a, w: obs.create_bucket(a, name="matrix-new-bucket"),
            foreign=False,
        ),
        "delete_bucket": case(
            lambda c, w: c.send("DELETE", f"/v1/obs/buckets/{w.bucket.name}"),
            lambda a, w: obs.delete_bucket(a, name=w.bucket.name),
            ["bucket"],
        ),
        "list_objects": case(
            lambda c, w: c.get(f"/v1/obs/buckets/{w.bucket.name}/objects"),
            lambda a, w: obs.list_objects(a, bucket=w.bucket.name),
            ["object"],
        ),
        "put_object": case(
            lambda c, w: c.send(
                "PUT", f"/v1/obs/buckets/{w.bucket.name}/objects/new.bin", data=PART, content_type=OCTETS
            ),
            lambda a, w: obs.put_object(
                a, bucket=w.bucket.name, key="new.bin", stream=io.BytesIO(PART), size=len(PART)
            ),
            ["bucket"],
        ),
        "open_object": case(
            lambda c, w: c.get(f"/v1/obs/buckets/{w.bucket.name}/objects/disk.raw"),
            lambda a, w: obs.open_object(a, bucket=w.bucket.name, key="disk.raw")[0].close(),
            ["object"],
        ),
        "delete_object": case(
            lambda c, w: c.send("DELETE", f"/v1/obs/buckets/{w.bucket.name}/objects/disk.raw"),
            lambda a, w: obs.delete_object(a, bucket=w.bucket.name, key="disk.raw"),
            ["object"],
        ),
        "start_upload": case(
            lambda c, w: c.send("POST", "/v1/obs/uploads", {"bucket": w.bucket.name, "key": "new.bin", "size": 10}),
            lambda a, w: obs.start_upload(a, bucket=w.bucket.name, key="new.bin", size=10),
            ["bucket"],
        ),
        "put_part": case(
            lambda c, w: c.send("PUT", f"/v1/obs/uploads/{w.upload.pk}/parts/1", data=PART, content_type=OCTETS),
            lambda a, w: obs.put_part(a, upload_id=w.upload.pk, number=1, stream=io.BytesIO(PART), size=len(PART)),
            upload,
        ),
        "list_parts": case(
            lambda c, w: c.get(f"/v1/obs/uploads/{w.upload.pk}"),
            lambda a, w: obs.list_parts(a, upload_id=w.upload.pk),
            upload,
        ),
        "complete_upload": case(
            lambda c, w: c.send("POST", f"/v1/obs/uploads/{w.upload.pk}/complete", {}),
            lambda a, w: obs.complete_upload(a, upload_id=w.upload.pk),
            ["upload_ready"],
        ),
        "abort_upload": case(
            lambda c, w: c.send("DELETE", f"/v1/obs/uploads/{w.upload.pk}"),
            lambda a, w: obs.abort_upload(a, upload_id=w.upload.pk),
            upload,
        ),
    }


def _keystone(w) -> dict:
    from tests.api_clients import keystone_body

    return keystone_body(
        w.user.username,
        factories.PASSWORD,
        domain={"name": w.user.iam.account.name},
        project={"name": w.actor_project.name},
    )


# Operations with nothing beneath their face, and why: they are exercised through the face only.
SERVICELESS = {
    "list_versions": "a static document: no permission, no state",
    "show_version": "a static document: no permission, no state",
    "glance_list_image_schemas": "a static document: no permission, no state",
    "glance_show_image_schemas": "a static document: no permission, no state",
    "glance_list_image_member_schemas": "a static document: no permission, no state",
    "glance_show_image_member_schemas": "a static document: no permission, no state",
    "glance_show_import_info": "a static document: no permission, no state",
    "glance_show_stores_info": "a static document: no permission, no state",
    "login": "the token view and the console sign-in signal check the password and record the trace",
    "logout": "Django's logout, in console.views.logout_view",
}

# Operations whose only face is the Django admin, run here through their service alone: the admin lets in only
# the account's administrators (tests/iam/test_admin.py proves its scoping, refusals and traces).
ADMIN = {"grant_image_to_user", "revoke_image_from_user", "publish_market_image", "unpublish_market_image"}
