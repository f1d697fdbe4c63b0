"""Deleting images: Glance DELETE /v2/images/{id}, its refusals, the freed quota and the audit trail."""

import json
from datetime import timedelta

from audit.models import Trace, TraceResult
from iam.actors import system_actor
from images import selectors
from images.blobs.models import Manifest
from images.choices import ImageStatus, ImageType
from images.models import Image, Job, JobStatus
from images.services.delete import glance_delete_image
from images.services.storage import sweep_orphan_manifests
from tests.factories import actor, make_image, share


def delete(client, image, body=None):
    return client.send("DELETE", f"/v2/images/{image.id}", data=json.dumps(body).encode() if body else b"")


def image_quota_used(user) -> int:
    return next(u.used for u in selectors.show_image_quota(actor(user)) if u.type == "image")


def test_the_service_marks_the_image_deleted_detaches_its_disk_and_frees_quota(tenant_a):
    image = make_image(tenant_a.project)
    used = image_quota_used(tenant_a.admin)
    glance_delete_image(actor(tenant_a.admin), image=image)
    image.refresh_from_db()
    assert image.status == ImageStatus.DELETED and image.manifest is None
    assert image_quota_used(tenant_a.admin) == used - 1
    assert Trace.objects.get(event_name="deleteImage").result == TraceResult.SUCCESS


def test_a_system_actor_may_delete_for_jobs_and_seeding(tenant_a):
    image = make_image(tenant_a.project)
    glance_delete_image(system_actor(tenant_a.project), image=image)
    assert Image.objects.get(pk=image.pk).status == ImageStatus.DELETED


def test_delete_answers_204_and_the_image_disappears(api_a, tenant_a):
    image = make_image(tenant_a.project)
    response = delete(api_a, image)
    assert response.status_code == 204
    assert api_a.get(f"/v2/images/{image.id}").status_code == 404
    assert str(image.id) not in {
        i["id"] for i in api_a.get("/v2/cloudimages", {"__imagetype": "private"}).json()["images"]
    }


def test_delete_accepts_the_delete_backup_flag_and_refuses_a_non_boolean(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert delete(api_a, image, {"delete_backup": "yes"}).status_code == 400
    assert delete(api_a, image, {"delete_backup": True}).status_code == 204


def test_a_protected_image_cannot_be_deleted(api_a, tenant_a):
    image = make_image(tenant_a.project, protected=True)
    response = delete(api_a, image)
    assert response.status_code == 403 and "protected" in response.json()["error"]["message"]
    assert Image.objects.get(pk=image.pk).status == ImageStatus.ACTIVE
    assert Trace.objects.get(event_name="deleteImage").result == TraceResult.FAILURE


def test_a_published_image_cannot_be_deleted(api_a, tenant_a):
    image = make_image(tenant_a.project, system_support_market=True)
    response = delete(api_a, image)
    assert response.status_code == 403 and "published" in response.json()["error"]["message"]


def test_an_image_with_a_running_task_cannot_be_deleted(api_a, tenant_a):
    image = make_image(tenant_a.project, status=ImageStatus.SAVING)
    Job.objects.create(job_type="createImageByFile", project=tenant_a.project, image=image, status=JobStatus.RUNNING)
    response = delete(api_a, image)
    assert response.status_code == 409 and response.json()["error"]["code"] == "IMG.0034"


def test_a_queued_image_without_a_task_can_be_deleted(api_a, tenant_a):
    image = make_image(tenant_a.project, status=ImageStatus.QUEUED)
    assert delete(api_a, image).status_code == 204


def test_public_and_shared_images_are_not_found_for_deletion(api_b, tenant_a, tenant_b, public_catalog):
    mine = make_image(tenant_a.project)
    share(mine, tenant_b.project, "accepted")
    gold = Image.objects.filter(image_type=ImageType.GOLD).first()
    assert delete(api_b, mine).status_code == 404
    assert delete(api_b, gold).status_code == 404
    assert Image.objects.get(pk=mine.pk).status == ImageStatus.ACTIVE


def test_a_reader_cannot_delete_and_the_refusal_is_traced(signed_client, tenant_a):
    image = make_image(tenant_a.project)
    assert delete(signed_client(tenant_a.reader), image).status_code == 403
    assert Trace.objects.get(event_name="deleteImage").result == TraceResult.DENIED
    assert Image.objects.get(pk=image.pk).status == ImageStatus.ACTIVE


def test_a_deleted_images_manifest_is_left_to_the_collector_until_no_copy_uses_it(tenant_a):
    manifest = Manifest.objects.create(region=tenant_a.project.region, virtual_size=1024**3)
    image = make_image(tenant_a.project, manifest=manifest)
    copy = make_image(tenant_a.project, manifest=manifest)
    glance_delete_image(actor(tenant_a.admin), image=image)
    assert sweep_orphan_manifests(grace=timedelta(0)) == 0  # the copy still uses it
    glance_delete_image(actor(tenant_a.admin), image=copy)
    assert sweep_orphan_manifests(grace=timedelta(0)) == 1
