"""Sharing through the service functions: the rules, the jobs and their per-pair results, the audit rows."""

import pytest

from audit.models import Trace
from core.errors import ImsError
from iam.authz import PermissionDenied
from images.choices import ImageStatus, MemberStatus
from images.jobs import run as run_job
from images.models import ImageMember, Job, JobStatus
from images.services import members
from tests.factories import ADMIN, actor, make_account, make_image, make_user, project_of, share


@pytest.fixture
def owner(tenant_a):
    return actor(tenant_a.admin)


@pytest.fixture
def member(tenant_b):
    return actor(tenant_b.admin)


@pytest.fixture
def image(tenant_a):
    return make_image(tenant_a.project, name="to-share")


def run(job):
    run_job(job.id)
    job.refresh_from_db()
    return job


def refused(code, call, **kwargs):
    with pytest.raises(ImsError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_batch_add_members_runs_a_job_with_per_pair_results(owner, image, tenant_b):
    job = members.batch_add_members(owner, images=[str(image.id)], projects=[tenant_b.project.id])
    assert job.job_type == "addImageMember" and job.status == JobStatus.INIT
    job = run(job)
    assert job.status == JobStatus.SUCCESS
    assert job.entities["results"] == [
        {"image_id": str(image.id), "project_id": tenant_b.project.id, "status": "success"}
    ]
    assert ImageMember.objects.get(image=image).status == MemberStatus.PENDING
    trace = Trace.objects.get(event_name="addMember")
    assert trace.result == "success" and trace.resource_id == str(image.id)


def test_add_job_reports_a_failed_pair_and_leaves_the_image_alone(owner, image, tenant_b):
    job = members.batch_add_members(owner, images=[str(image.id)], projects=[tenant_b.project.id])
    image.cmk_id = "kms-key"  # encrypted between the request and the run
    image.save()
    job = run(job)
    assert job.status == JobStatus.FAIL and job.error_code == "IMG.0612"
    assert job.entities["results"][0]["status"] == "failed"
    image.refresh_from_db()
    assert image.status == ImageStatus.ACTIVE and not image.members.exists()


def test_member_accepts_then_rejects_by_batch_update(member, image, tenant_b):
    share(image, tenant_b.project)
    job = run(
        members.batch_update_members(member, images=[str(image.id)], status="accepted", project_id=tenant_b.project.id)
    )
    assert job.status == JobStatus.SUCCESS and job.job_type == "updateImageMember"
    assert job.entities["results"][0] == {
        "image_id": str(image.id),
        "project_id": tenant_b.project.id,
        "status": "success",
    }
    assert ImageMember.objects.get(image=image).status == MemberStatus.ACCEPTED
    run(members.batch_update_members(member, images=[str(image.id)], status="rejected"))
    assert ImageMember.objects.get(image=image).status == MemberStatus.REJECTED
    assert Trace.objects.filter(event_name="updateMember", result="success").count() == 2


def test_batch_delete_members_fails_per_pair_when_not_a_member(owner, image, tenant_b, identity):
    share(image, tenant_b.project)
    third = project_of(make_account("charlie"))
    job = run(members.batch_delete_members(owner, images=[str(image.id)], projects=[tenant_b.project.id, third.id]))
    assert job.status == JobStatus.FAIL and job.job_type == "deleteImageMember"
    assert [r["status"] for r in job.entities["results"]] == ["success", "failed"]
    assert not image.members.exists()
    assert Trace.objects.filter(event_name="deleteMemeber").exists()


def test_encrypted_image_cannot_be_shared(owner, tenant_a, tenant_b):
    image = make_image(tenant_a.project, cmk_id="kms-key")
    refused("IMG.0602", members.batch_add_members, actor=owner, images=[str(image.id)], projects=[tenant_b.project.id])
    refused("IMG.0602", members.glance_add_image_member, actor=owner, image=image, member_id=tenant_b.project.id)
    assert set(Trace.objects.filter(event_name="addMember").values_list("result", "error_code")) == {
        ("failure", "IMG.0602")
    }


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"status": ImageStatus.SAVING}, "IMG.0601"),
        ({"system_support_market": True}, "IMG.0603"),
    ],
)
def test_inactive_and_market_images_cannot_be_shared(owner, tenant_a, tenant_b, fields, code):
    image = make_image(tenant_a.project, **fields)
    refused(code, members.glance_add_image_member, actor=owner, image=image, member_id=tenant_b.project.id)


def test_a_whole_machine_image_is_not_shared_and_has_room_for_ten(owner, tenant_a, tenant_b):
    image = make_image(tenant_a.project, backup_id="backup-1")  # made from a backup: a whole-machine image
    refused("IMG.0604", members.glance_add_image_member, actor=owner, image=image, member_id=tenant_b.project.id)
    assert members.member_limit(image) == 10
    assert members.member_limit(make_image(tenant_a.project)) == 128


def test_iso_images_can_be_shared(owner, tenant_a, tenant_b):
    image = make_image(tenant_a.project, virtual_env_type="IsoImage", disk_format="iso")
    assert members.glance_add_image_member(owner, image=image, member_id=tenant_b.project.id).status == "pending"


def test_the_129th_member_is_refused(owner, image, tenant_b, identity):
    accounts = [make_account(f"m{n}") for n in range(128)]
    ImageMember.objects.bulk_create(ImageMember(image=image, project=project_of(a)) for a in accounts)
    refused("IMG.0605", members.glance_add_image_member, actor=owner, image=image, member_id=tenant_b.project.id)
    refused("IMG.0605", members.batch_add_members, actor=owner, images=[str(image.id)], projects=[tenant_b.project.id])


def test_another_region_unknown_project_and_own_account_are_refused(owner, image, tenant_a, tenant_b):
    other_region = project_of(tenant_b.account, "cn-east-3")
    refused("IMG.0607", members.glance_add_image_member, actor=owner, image=image, member_id=other_region.id)
    refused("IMG.0606", members.glance_add_image_member, actor=owner, image=image, member_id="0" * 32)
    refused("IMG.0608", members.glance_add_image_member, actor=owner, image=image, member_id=tenant_a.project.id)
    refused("IMG.0607", members.batch_add_members, actor=owner, images=[str(image.id)], projects=[other_region.id])


def test_adding_twice_is_a_conflict(owner, image, tenant_b):
    members.glance_add_image_member(owner, image=image, member_id=tenant_b.project.id)
    assert (
        refused(
            "IMG.0611", members.glance_add_image_member, actor=owner, image=image, member_id=tenant_b.project.id
        ).status
        == 409
    )


def test_the_owner_cannot_set_a_members_status(owner, image, tenant_b):
    share(image, tenant_b.project)
    error = refused(
        "IMG.0610",
        members.glance_update_image_member,
        actor=owner,
        image=image,
        member_id=tenant_b.project.id,
        status="accepted",
    )
    assert error.status == 403
    refused(
        "IMG.0610",
        members.batch_update_members,
        actor=owner,
        images=[str(image.id)],
        status="accepted",
        project_id=tenant_b.project.id,
    )
    refused("IMG.0609", members.batch_update_members, actor=owner, images=[str(image.id)], status="accepted")
    assert ImageMember.objects.get(image=image).status == MemberStatus.PENDING


def test_member_cannot_add_or_remove_members_of_the_image(member, image, tenant_b, identity):
    share(image, tenant_b.project, "accepted")
    third = project_of(make_account("charlie"))
    refused("IMG.0002", members.glance_add_image_member, actor=member, image=image, member_id=third.id)
    refused("IMG.0002", members.glance_delete_image_member, actor=member, image=image, member_id=tenant_b.project.id)
    refused("IMG.0002", members.batch_add_members, actor=member, images=[str(image.id)], projects=[third.id])
    refused(
        "IMG.0002", members.batch_delete_members, actor=member, images=[str(image.id)], projects=[tenant_b.project.id]
    )
    assert list(image.members.values_list("project_id", flat=True)) == [tenant_b.project.id]


def test_a_member_answers_only_accepted_or_rejected(member, image, tenant_b):
    share(image, tenant_b.project)
    refused("IMG.0001", members.batch_update_members, actor=member, images=[str(image.id)], status="maybe")
    refused(
        "IMG.0001",
        members.glance_update_image_member,
        actor=member,
        image=image,
        member_id=tenant_b.project.id,
        status="pending",
    )


def test_reader_cannot_share_or_answer(tenant_a, tenant_b, image):
    share(image, tenant_b.project)
    with pytest.raises(PermissionDenied):
        members.glance_add_image_member(actor(tenant_a.reader), image=image, member_id=tenant_b.project.id)
    with pytest.raises(PermissionDenied):
        members.batch_update_members(actor(tenant_b.reader), images=[str(image.id)], status="accepted")
    assert Trace.objects.filter(result="denied").count() == 2


def test_lists_show_all_members_to_the_owner_and_only_itself_to_a_member(owner, member, image, tenant_b, identity):
    third = project_of(make_account("charlie"))
    share(image, tenant_b.project)
    share(image, third)
    assert {m.project_id for m in members.list_image_members(owner, image_id=image.id).items} == {
        tenant_b.project.id,
        third.id,
    }
    assert [m.project_id for m in members.list_image_members(member, image_id=image.id).items] == [tenant_b.project.id]
    refused("IMG.0609", members.show_image_member, actor=member, image_id=image.id, member_id=third.id)
    page = members.list_image_members(owner, image_id=image.id, limit=1)
    rest = members.list_image_members(owner, image_id=image.id, limit=1, marker=page.next_marker)
    assert len(page.items) == len(rest.items) == 1 and page.items[0] != rest.items[0] and rest.next_marker is None


def test_pending_shares_is_the_members_inbox(member, image, tenant_a, tenant_b):
    share(image, tenant_b.project)
    accepted = make_image(tenant_a.project)
    share(accepted, tenant_b.project, "accepted")
    assert [i.id for i in members.pending_shares(member)] == [image.id]


def test_a_user_of_a_third_tenant_sees_no_members(image, tenant_b, identity):
    share(image, tenant_b.project)
    stranger = actor(make_user(make_account("charlie"), "charlie-admin", *ADMIN))
    refused("IMG.0002", members.list_image_members, actor=stranger, image_id=image.id)
    refused("IMG.0002", members.show_image_member, actor=stranger, image_id=image.id, member_id=tenant_b.project.id)
    refused("IMG.0002", members.batch_update_members, actor=stranger, images=[str(image.id)], status="accepted")
    assert not Job.objects.exists()
