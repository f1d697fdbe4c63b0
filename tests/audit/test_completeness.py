"""Every state-changing operation of the catalogue leaves a trace: one scenario performs each of them once, as
an allowed caller, through its face; the operations traced must be exactly the catalogue's state-changing ones,
so a new operation that is not traced fails here.

Tampering with the chain (a raw UPDATE, a raw DELETE of a middle or of the newest row) is proven in
tests/audit/test_chain.py; here the chain of the whole scenario's real traces must verify.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from guardian.models import UserObjectPermission

from audit.models import Trace
from iam.catalogue import OPERATIONS
from tests import factories
from tests.api_clients import SignedClient, keystone_body
from tests.iam.matrix_world import NEW_PASSWORD, PART, build_world

# State-changing operations the scenario cannot perform, each with its reason. Ideally none.
NOT_PERFORMED: dict[str, str] = {}
# Authorized and traced, then refused by a rule of the product: a server's system disk cannot be detached.
PRODUCT_REFUSALS = {"detach_server_volume": 409}

STATE_CHANGING = {op.name for op in OPERATIONS if op.changes_state}
# Steps of a traced operation (an upload's parts): performed, but traced only when refused or failed.
STEPS = {op.name for op in OPERATIONS if op.changes_state and not op.traces_success}
# "job": a job no worker took yet, for the console's cancel_job (a catalogue line since the job centre's cancel
# became a service; the job's end is then traced as the system actor, which this scenario's filters leave out).
ALL_PARTS = frozenset({"queued", "shared_in", "object", "upload_ready", "key", "job", "server", "disk", "backup"})
OCTETS = "application/octet-stream"


pytestmark = pytest.mark.usefixtures("own_var_dir")  # objects, parts and staged uploads of each case apart


def image_steps(api, w) -> list:
    """(operation, request) in an order where each finds what it needs: tags before their deletion, members
    added before they are removed, the deleted image one no job works on."""
    image, p = f"/v2/images/{w.image.id}", api.project_id
    v2_tags = f"/v2/{p}/images/{w.image.id}/tags"
    charlie = w.charlie_project.id
    batch = {"images": [str(w.image.id)], "projects": [charlie]}
    import_body = {"name": "imported", "image_url": w.object_url, "os_version": "Ubuntu 22.04 server 64bit"}
    return [
        (
            "update_image",
            lambda: api.send(
                "PATCH", f"/v2/cloudimages/{w.image.id}", [{"op": "replace", "path": "/name", "value": "renamed"}]
            ),
        ),
        (
            "glance_update_image",
            lambda: api.send(
                "PATCH",
                image,
                [{"op": "replace", "path": "/name", "value": "g"}],
                content_type="application/openstack-images-v2.1-json-patch",
            ),
        ),
        # Deactivated, then active again for the steps below.
        ("glance_deactivate_image", lambda: api.send("POST", f"{image}/actions/deactivate")),
        ("glance_reactivate_image", lambda: api.send("POST", f"{image}/actions/reactivate")),
        (
            "create_or_update_tags",
            lambda: api.send("PUT", "/v1/cloudimages/tags", {"image_id": str(w.image.id), "tag": "a.1"}),
        ),
        ("add_image_tag", lambda: api.send("POST", v2_tags, {"tag": {"key": "b", "value": "2"}})),
        (
            "batch_add_or_delete_tags",
            lambda: api.send("POST", f"{v2_tags}/action", {"action": "create", "tags": [{"key": "c", "value": "3"}]}),
        ),
        ("glance_create_tag", lambda: api.send("PUT", f"{image}/tags/d")),
        (
            "list_image_by_tags",
            lambda: api.send("POST", f"/v2/{p}/images/resource_instances/action", {"action": "filter"}),
        ),
        (
            "batch_delete_tags",
            lambda: api.send(
                "DELETE", f"/v1/{p}/cloudimages/{w.image.id}/tags/delete", {"tags": [{"key": "a", "value": "1"}]}
            ),
        ),
        ("delete_image_tag", lambda: api.send("DELETE", f"{v2_tags}/b")),
        ("glance_delete_tag", lambda: api.send("DELETE", f"{image}/tags/d")),
        ("glance_add_image_member", lambda: api.send("POST", f"{image}/members", {"member": charlie})),
        ("batch_add_members", lambda: api.send("POST", "/v1/cloudimages/members", batch)),
        ("batch_delete_members", lambda: api.send("DELETE", "/v1/cloudimages/members", batch)),
        ("glance_delete_image_member", lambda: api.send("DELETE", f"{image}/members/{charlie}")),
        (
            "batch_update_members",
            lambda: api.send("PUT", "/v1/cloudimages/members", {"images": [str(w.shared_in.id)], "status": "accepted"}),
        ),
        (
            "glance_update_image_member",
            lambda: api.send("PUT", f"/v2/images/{w.shared_in.id}/members/{w.project.id}", {"status": "rejected"}),
        ),
        ("glance_delete_image", lambda: api.send("DELETE", f"/v2/images/{w.sibling.id}")),
        ("create_image", lambda: api.send("POST", "/v2/cloudimages/action", import_body)),
        ("create_image_in_safe_mode", lambda: api.send("POST", "/v2.1/cloudimages/action", import_body)),
        ("create_data_image", lambda: api.send("POST", "/v1/cloudimages/dataimages/action", import_body)),
        (
            "create_data_image_in_safe_mode",
            lambda: api.send("POST", "/v2.1/cloudimages/dataimages/action", import_body),
        ),
        ("import_image_quick", lambda: api.send("POST", "/v2/cloudimages/quickimport/action", import_body)),
        (
            "import_image_quick_in_safe_mode",
            lambda: api.send("POST", "/v2.1/cloudimages/quickimport/action", import_body),
        ),
        (
            "create_whole_image",
            lambda: api.send(
                "POST",
                "/v1/cloudimages/wholeimages/action",
                {"name": "whole", "instance_id": str(w.server.pk)},
            ),
        ),
        (
            "register_image",
            lambda: api.send("PUT", f"/v1/cloudimages/{w.queued.id}/upload", {"image_url": w.object_url}),
        ),
        (
            "export_image",
            lambda: api.send(
                "POST",
                f"/v1/cloudimages/{w.image.id}/file",
                {"bucket_url": f"{w.bucket.name}:e1.qcow2", "file_format": "qcow2"},
            ),
        ),
        (
            "export_image_in_safe_mode",
            lambda: api.send(
                "POST",
                f"/v2.1/cloudimages/{w.image.id}/file",
                {"bucket_url": f"{w.bucket.name}:e2.qcow2", "file_format": "qcow2"},
            ),
        ),
        ("copy_image_in_region", lambda: api.send("POST", f"/v1/cloudimages/{w.image.id}/copy", {"name": "c1"})),
        (
            "copy_image_in_region_in_safe_mode",
            lambda: api.send("POST", f"/v2.1/cloudimages/{w.image.id}/copy", {"name": "c2"}),
        ),
        (
            "copy_image_cross_region",
            lambda: api.send(
                "POST",
                f"/v1/cloudimages/{w.image.id}/cross_region_copy",
                {"name": "far", "region": "cn-south-1", "project_name": "cn-south-1", "agency_name": "ims_agency"},
            ),
        ),
    ]


def metadata_and_upload(api) -> list:
    """Glance's two-step creation: the queued image's id comes from the first answer."""
    # A raw disk of 100 bytes: the upload is imported before the PUT answers, and these bytes are a valid one.
    created = api.send("POST", "/v2/images", {"name": "glance-made", "disk_format": "raw"})
    uploaded = api.send("PUT", f"/v2/images/{created.json()['id']}/file", data=PART * 10, content_type=OCTETS)
    return [("glance_create_image_metadata", created), ("glance_upload_image_file", uploaded)]


def stage_and_import(api) -> list:
    """Glance's interoperable import (glance-direct) of a raw disk: staged, then imported before the POST answers."""
    image_id = api.send("POST", "/v2/images", {"name": "glance-imported", "disk_format": "raw"}).json()["id"]
    staged = api.send("PUT", f"/v2/images/{image_id}/stage", data=PART * 10, content_type=OCTETS)
    imported = api.send("POST", f"/v2/images/{image_id}/import", {"method": {"name": "glance-direct"}})
    return [("glance_stage_image_data", staged), ("glance_import_image", imported)]


def obs_steps(api, w) -> list:
    objects = "/v1/obs/buckets/spare-bucket/objects"
    return [
        ("create_bucket", lambda: api.send("POST", "/v1/obs/buckets", {"name": "spare-bucket"})),
        ("put_object", lambda: api.send("PUT", f"{objects}/x.bin", data=PART, content_type=OCTETS)),
        ("delete_object", lambda: api.send("DELETE", f"{objects}/x.bin")),
        ("delete_bucket", lambda: api.send("DELETE", "/v1/obs/buckets/spare-bucket")),
        ("put_part", lambda: api.send("PUT", f"/v1/obs/uploads/{w.upload.pk}/parts/1", data=PART, content_type=OCTETS)),
        ("complete_upload", lambda: api.send("POST", f"/v1/obs/uploads/{w.upload.pk}/complete", {})),
        (
            "start_upload",
            lambda: api.send("POST", "/v1/obs/uploads", {"bucket": w.bucket.name, "key": "n.bin", "size": 10}),
        ),
    ]


def compute_steps(api, w) -> list:
    """Servers, disks and backups (tests/iam/matrix_compute.py builds the world's server, disk and backup)."""
    from tests.iam.matrix_compute import _create_body

    p, server = api.project_id, str(w.server.pk)
    servers, volumes = f"/v1/{p}/cloudservers", f"/v2/{p}/cloudvolumes"
    one = {"servers": [{"id": server}]}

    def delete_new_volume():
        made = api.send("POST", volumes, {"volume": {"name": "spare-disk", "size": 10}})
        return api.send("DELETE", f"{volumes}/{made.json()['volume_ids'][0]}")

    return [
        ("create_post_paid_servers", lambda: api.send("POST", servers, _create_body(w))),
        ("create_servers", lambda: api.send("POST", f"/v1.1/{p}/cloudservers", _create_body(w))),
        ("batch_stop_servers", lambda: api.send("POST", f"{servers}/action", {"os-stop": one})),
        ("batch_start_servers", lambda: api.send("POST", f"{servers}/action", {"os-start": one})),
        (
            "attach_server_volume",
            lambda: api.send(
                "POST", f"{servers}/{server}/attachvolume", {"volumeAttachment": {"volumeId": str(w.disk.pk)}}
            ),
        ),
        # Refused by the product's rule (traced as a failure): the system disk stays with its server.
        (
            "detach_server_volume",
            lambda: api.send("DELETE", f"{servers}/{server}/detachvolume/{w.server.system_disk.pk}"),
        ),
        ("write_volume", lambda: api.send("POST", f"{volumes}/{w.disk.pk}/write", {"object_url": w.object_url})),
        (
            "create_checkpoint",
            lambda: api.send(
                "POST", f"/v3/{p}/checkpoint", {"checkpoint": {"parameters": {"resource_details": [{"id": server}]}}}
            ),
        ),
        ("create_volume", lambda: api.send("POST", volumes, {"volume": {"name": "new-disk", "size": 10}})),
        ("delete_volume", delete_new_volume),
        ("delete_backup", lambda: api.send("DELETE", f"/v3/{p}/backups/{w.backup.pk}")),
        ("delete_servers", lambda: api.send("POST", f"{servers}/delete", {**one, "delete_volume": True})),
    ]


def kms_steps(api, w) -> list:
    """A customer master key through its life, its data keys and a grant. KMS CMKFullAccess is the KMS's own
    policy, so the scenario's user holds it beside IMS FullAccess."""
    from iam import seeding as iam
    from iam.policies import KMS_CMK_FULL_ACCESS
    from tests.iam.matrix_kms import _plain_text

    policies = iam.ensure_system_policies()
    group = iam.ensure_group(w.user.iam.account, "scenario-kms", [policies[KMS_CMK_FULL_ACCESS]], None)
    group.users.add(w.user)
    kms, made = f"/v1.0/{api.project_id}/kms", {}

    def call(route: str, **body):
        return api.send("POST", f"{kms}/{route}", body)

    def create_key():
        answer = call("create-key", key_alias="scenario/key")
        made["key"] = {"key_id": answer.json()["key_info"]["key_id"]}
        return answer

    def create_datakey():
        answer = call("create-datakey", **made["key"], datakey_length="256")
        made["cipher"] = answer.json()["cipher_text"]
        return answer

    def create_grant():
        answer = call(
            "create-grant", **made["key"], grantee_principal=w.charlie_project.pk, operations=["decrypt-datakey"]
        )
        made["grant"] = answer.json()["grant_id"]
        return answer

    return [
        ("create_key", create_key),
        ("list_keys", lambda: call("list-keys")),
        ("list_key_detail", lambda: call("describe-key", **made["key"])),
        ("disable_key", lambda: call("disable-key", **made["key"])),
        ("enable_key", lambda: call("enable-key", **made["key"])),
        ("create_datakey", create_datakey),
        (
            "encrypt_datakey",
            lambda: call("encrypt-datakey", **made["key"], plain_text=_plain_text(), datakey_plain_length="32"),
        ),
        (
            "decrypt_datakey",
            lambda: call("decrypt-datakey", **made["key"], cipher_text=made["cipher"], datakey_cipher_length="32"),
        ),
        ("create_grant", create_grant),
        ("list_grants", lambda: call("list-grants", **made["key"])),
        ("revoke_grant", lambda: call("revoke-grant", **made["key"], grant_id=made["grant"])),
        ("delete_key", lambda: call("schedule-key-deletion", **made["key"], pending_days="7")),
        ("cancel_key_deletion", lambda: call("cancel-key-deletion", **made["key"])),
    ]


def metadefs_steps(api, w) -> list:
    """Every write of Glance's metadata definitions: a cloud administrator's, so the user is one for these."""
    md = "/v2/metadefs/namespaces/scenario-ns"
    speed = {"name": "speed", "title": "Speed", "type": "integer"}

    def create_namespace():
        type(w.user).objects.filter(pk=w.user.pk).update(is_superuser=True)
        return api.send("POST", "/v2/metadefs/namespaces", {"namespace": "scenario-ns"})

    def delete_namespace():
        answer = api.send("DELETE", md)
        type(w.user).objects.filter(pk=w.user.pk).update(is_superuser=False)
        return answer

    return [
        ("glance_create_metadef_namespace", create_namespace),
        ("glance_update_metadef_namespace", lambda: api.send("PUT", md, {"namespace": "scenario-ns"})),
        ("glance_create_metadef_object", lambda: api.send("POST", f"{md}/objects", {"name": "Disk"})),
        ("glance_update_metadef_object", lambda: api.send("PUT", f"{md}/objects/Disk", {"name": "Drive"})),
        ("glance_delete_metadef_object", lambda: api.send("DELETE", f"{md}/objects/Drive")),
        ("glance_delete_metadef_objects", lambda: api.send("DELETE", f"{md}/objects")),
        ("glance_create_metadef_property", lambda: api.send("POST", f"{md}/properties", speed)),
        ("glance_update_metadef_property", lambda: api.send("PUT", f"{md}/properties/speed", speed)),
        ("glance_delete_metadef_property", lambda: api.send("DELETE", f"{md}/properties/speed")),
        ("glance_delete_metadef_properties", lambda: api.send("DELETE", f"{md}/properties")),
        ("glance_create_metadef_tags", lambda: api.send("POST", f"{md}/tags", {"tags": [{"name": "a"}]})),
        ("glance_create_metadef_tag", lambda: api.send("POST", f"{md}/tags/b")),
        ("glance_update_metadef_tag", lambda: api.send("PUT", f"{md}/tags/b", {"name": "c"})),
        ("glance_delete_metadef_tag", lambda: api.send("DELETE", f"{md}/tags/c")),
        ("glance_delete_metadef_tags", lambda: api.send("DELETE", f"{md}/tags")),
        (
            "glance_create_metadef_resource_type_association",
            lambda: api.send("POST", f"{md}/resource_types", {"name": "OS::Glance::Image"}),
        ),
        (
            "glance_delete_metadef_resource_type_association",
            lambda: api.send("DELETE", f"{md}/resource_types/OS::Glance::Image"),
        ),
        ("glance_delete_metadef_namespace", delete_namespace),
    ]


def abort_started(api, bucket: str) -> tuple:
    started = api.send("POST", "/v1/obs/uploads", {"bucket": bucket, "key": "gone.bin", "size": 10})
    return "abort_upload", api.send("DELETE", f"/v1/obs/uploads/{started.json()['id']}")


def console_steps(w) -> list:
    browser = Client()
    browser.force_login(w.user)
    keys = "/console/account/keys"
    return [
        ("set_access_key_status", lambda: browser.post(f"{keys}/{w.key.access_key}/status", {"active": "false"})),
        ("delete_access_key", lambda: browser.post(f"{keys}/{w.key.access_key}/delete")),
        # After the deletion: a user holds at most two keys, and the API client holds the other one.
        ("create_own_access_key", lambda: browser.post(f"{keys}/create", {"description": "scenario"})),
        (
            "change_password",
            lambda: browser.post(
                "/console/account/password",
                {"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            ),
        ),
        ("cancel_job", lambda: browser.post(f"/console/images/jobs/{w.job.id}/cancel")),
        ("logout", lambda: browser.post("/console/logout")),
    ]


def admin_steps(w) -> list:
    """Per-image grants, through the Django admin as the account's administrator."""
    w.user.is_staff = True
    w.user.save(update_fields=["is_staff"])
    admin = Client()
    admin.force_login(w.user)
    grant = {"user": w.user.pk, "image": w.image.pk, "action": "ims:images:get"}

    def revoke():
        row = UserObjectPermission.objects.get(user=w.user, object_pk=str(w.image.pk))
        return admin.post(f"/admin/images/perimagegrant/{row.pk}/delete/", {"post": "yes"})

    return [
        ("grant_image_to_user", lambda: admin.post("/admin/images/perimagegrant/add/", grant)),
        ("revoke_image_from_user", revoke),
        *market_steps(w, admin),
    ]


def market_steps(w, admin) -> list:
    """Publishing and withdrawing a market image: the platform operator's, so the user is one for these two."""
    product = {"source": w.image.pk, "vendor": "Scenario", "product_code": "scenario-1", "price_label": "free"}

    def publish():
        type(w.user).objects.filter(pk=w.user.pk).update(is_superuser=True)
        return admin.post("/admin/images/marketlisting/add/", product)

    def unpublish():
        from images.models import MarketListing

        listing = MarketListing.objects.get(product_code="scenario-1")
        answer = admin.post(f"/admin/images/marketlisting/{listing.pk}/delete/", {"post": "yes"})
        type(w.user).objects.filter(pk=w.user.pk).update(is_superuser=False)
        return answer

    return [("publish_market_image", publish), ("unpublish_market_image", unpublish)]


def run_scenario(w) -> dict:
    login = Client().post(
        "/v3/auth/tokens",
        keystone_body(w.user.username, factories.PASSWORD, domain={"name": "alpha"}),
        content_type="application/json",
    )
    api = SignedClient(w.user, project=w.actor_project)
    answers = {"login": login}
    steps = image_steps(api, w) + obs_steps(api, w) + compute_steps(api, w) + kms_steps(api, w)
    steps += metadefs_steps(api, w)
    steps += admin_steps(w) + console_steps(w)
    for name, request in steps:
        answers[name] = request()
    answers.update(metadata_and_upload(api))
    answers.update(stage_and_import(api))
    name, answer = abort_started(api, w.bucket.name)
    answers[name] = answer
    return answers


def test_every_state_changing_operation_is_traced(db):
    w = build_world("full_access", ALL_PARTS)
    answers = run_scenario(w)
    assert set(answers) | set(NOT_PERFORMED) == STATE_CHANGING, "the scenario must perform each one"
    refused = {name: answer.status_code for name, answer in answers.items() if answer.status_code >= 400}
    attempts = Trace.objects.filter(username=w.user.username, result__in=["success", "failure"])
    traced = set(attempts.values_list("operation", flat=True))
    assert traced == STATE_CHANGING - set(NOT_PERFORMED) - STEPS, (
        f"not traced: {sorted(STATE_CHANGING - set(NOT_PERFORMED) - STEPS - traced)}; "
        f"traced yet not state-changing operations of the catalogue: {sorted(traced - STATE_CHANGING)}; "
        f"refused steps: {refused}"
    )
    assert refused == PRODUCT_REFUSALS


def test_every_refusal_by_a_rule_is_traced_as_a_failure_with_its_code(db):
    w = build_world("full_access", ALL_PARTS)
    run_scenario(w)
    failures = Trace.objects.filter(username=w.user.username, result="failure")
    assert {(t.operation, t.error_code) for t in failures} == {("detach_server_volume", "Ecs.0203")}


def test_the_chain_of_a_whole_scenario_verifies(db):
    run_scenario(build_world("full_access", ALL_PARTS))
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK: ") and "chain intact" in out.getvalue()
