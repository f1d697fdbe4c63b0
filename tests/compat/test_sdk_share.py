"""Sharing with the official SDK, unchanged: batch jobs, the member's answer, member lists, Glance members."""

import pytest

from iam.credentials import create_access_key
from images.jobs import run as run_job
from tests.compat.test_sdk import client_for, sdk
from tests.factories import make_image, project_of

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def clients(world, access_key, project_a):
    key, secret = create_access_key(user=world["b"].admin)
    project_b = project_of(world["b"].account)
    return (
        client_for(world["url"], *access_key, project_a.id),
        client_for(world["url"], key.access_key, secret, project_b.id),
        project_b,
    )


def finished(client, job_id):
    *_, ims = sdk()
    run_job(job_id)  # in-process: the test needs no worker
    return client.show_job(ims.ShowJobRequest(job_id=job_id))


def test_batch_add_accept_list_and_show(clients, project_a):
    *_, ims = sdk()
    owner, member, project_b = clients
    image = make_image(project_a, name="sdk-shared")
    response = owner.batch_add_members(
        ims.BatchAddMembersRequest(body=ims.BatchAddMembersRequestBody(images=[str(image.id)], projects=[project_b.id]))
    )
    job = finished(owner, response.job_id)
    assert job.status == "SUCCESS" and job.job_type == "addImageMember"
    assert [(r.image_id, r.project_id, r.status) for r in job.entities.results] == [
        (str(image.id), project_b.id, "success")
    ]

    listed = owner.list_image_members(ims.ListImageMembersRequest(image_id=str(image.id), limit=10))
    assert [(m.member_id, m.status) for m in listed.members] == [(project_b.id, "pending")]

    response = member.batch_update_members(
        ims.BatchUpdateMembersRequest(
            body=ims.BatchUpdateMembersRequestBody(images=[str(image.id)], project_id=project_b.id, status="accepted")
        )
    )
    assert finished(member, response.job_id).status == "SUCCESS"
    shown = member.show_image_member(ims.ShowImageMemberRequest(image_id=str(image.id), member_id=project_b.id))
    assert shown.status == "accepted" and shown.schema == "/v2/schemas/member"
    shared = member.list_images(ims.ListImagesRequest(imagetype="shared"))
    assert [i.id for i in shared.images] == [str(image.id)]


def test_owner_cannot_accept_for_the_member(clients, project_a):
    _, ClientRequestException, _, ims = sdk()
    owner, _, project_b = clients
    image = make_image(project_a)
    owner.glance_add_image_member(
        ims.GlanceAddImageMemberRequest(
            image_id=str(image.id), body=ims.GlanceAddImageMemberRequestBody(member=project_b.id)
        )
    )
    with pytest.raises(ClientRequestException) as caught:
        owner.glance_update_image_member(
            ims.GlanceUpdateImageMemberRequest(
                image_id=str(image.id),
                member_id=project_b.id,
                body=ims.GlanceUpdateImageMemberRequestBody(status="accepted"),
            )
        )
    assert caught.value.status_code == 403 and caught.value.error_code == "IMG.0610"


def test_glance_add_update_delete_member(clients, project_a):
    _, ClientRequestException, _, ims = sdk()
    owner, member, project_b = clients
    image = make_image(project_a, name="glance-shared")
    added = owner.glance_add_image_member(
        ims.GlanceAddImageMemberRequest(
            image_id=str(image.id), body=ims.GlanceAddImageMemberRequestBody(member=project_b.id)
        )
    )
    assert added.status == "pending" and added.member_id == project_b.id and added.member_type == "project"
    updated = member.glance_update_image_member(
        ims.GlanceUpdateImageMemberRequest(
            image_id=str(image.id),
            member_id=project_b.id,
            body=ims.GlanceUpdateImageMemberRequestBody(status="rejected"),
        )
    )
    assert updated.status == "rejected"
    listed = owner.glance_list_image_members(ims.GlanceListImageMembersRequest(image_id=str(image.id)))
    assert [(m.member_id, m.status) for m in listed.members] == [(project_b.id, "rejected")]
    owner.glance_delete_image_member(ims.GlanceDeleteImageMemberRequest(image_id=str(image.id), member_id=project_b.id))
    with pytest.raises(ClientRequestException) as caught:
        owner.glance_show_image_member(ims.GlanceShowImageMemberRequest(image_id=str(image.id), member_id=project_b.id))
    assert caught.value.status_code == 404 and caught.value.error_code == "IMG.0609"


def test_encrypted_image_is_refused_at_once(clients, project_a):
    _, ClientRequestException, _, ims = sdk()
    owner, _, project_b = clients
    image = make_image(project_a, cmk_id="kms-key")
    with pytest.raises(ClientRequestException) as caught:
        owner.batch_add_members(
            ims.BatchAddMembersRequest(
                body=ims.BatchAddMembersRequestBody(images=[str(image.id)], projects=[project_b.id])
            )
        )
    assert caught.value.status_code == 400 and caught.value.error_code == "IMG.0602"
