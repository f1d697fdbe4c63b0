"""The conditions every image list and lookup is narrowed by, written as SQL (images/models.py ImageRowCondition):
which images a tenant and a cloud administrator see, which Glance's `member_status` keeps, and that they still
hold where the images are a subquery of another query (Django renames their table there)."""

import uuid

import pytest
from django.core.exceptions import FieldError

from images.choices import ImageStatus, ImageType, MemberStatus, Visibility
from images.models import AnsweredBy, Image, ImageTag, NotSharedOrAnswered, OwnOrNotCommunity
from tests import factories


@pytest.fixture
def world(tenant_a, tenant_b, platform):
    """One image of each kind a tenant's list must decide on, named by what it is."""
    a, b = factories.project_of(tenant_a.account), factories.project_of(tenant_b.account)
    holding = factories.project_of(platform)
    images = {
        "own": factories.make_image(a),
        "own deleted": factories.make_image(a, status=ImageStatus.DELETED),
        "own in another region": factories.make_image(factories.project_of(tenant_a.account, "cn-south-1")),
        "other tenant's": factories.make_image(b),
        "shared pending": factories.make_image(b),
        "shared accepted": factories.make_image(b),
        "shared rejected": factories.make_image(b),
        "shared with someone else": factories.make_image(b),
        "gold": factories.make_image(holding, image_type=ImageType.GOLD, visibility=Visibility.PUBLIC),
        "market": factories.make_image(holding, image_type=ImageType.MARKET),
        "public (Glance)": factories.make_image(b, visibility=Visibility.PUBLIC),
        "community": factories.make_image(b, visibility=Visibility.COMMUNITY),
        "held for an unknown owner": factories.make_image(holding, external_owner=uuid.uuid4().hex),
    }
    factories.share(images["shared pending"], a, MemberStatus.PENDING)
    factories.share(images["shared accepted"], a, MemberStatus.ACCEPTED)
    factories.share(images["shared rejected"], a, MemberStatus.REJECTED)
    factories.share(images["shared with someone else"], factories.project_of(platform), MemberStatus.ACCEPTED)
    return images


def names(world, queryset) -> set[str]:
    kept = {str(pk) for pk in queryset.values_list("pk", flat=True)}
    return {name for name, image in world.items() if str(image.pk) in kept}


SHARED_WITH_A = {"shared pending", "shared accepted", "shared rejected"}
PUBLIC = {"gold", "market", "public (Glance)", "community"}


def test_a_tenant_sees_its_own_the_public_and_what_is_shared_with_it_in_its_region(world, tenant_a):
    visible = Image.objects.visible_to(factories.actor(tenant_a.admin))
    assert names(world, visible) == {"own"} | SHARED_WITH_A | PUBLIC


def test_a_cloud_administrator_also_reaches_the_images_held_for_unknown_owners(world, tenant_a):
    tenant_a.admin.is_superuser = True
    tenant_a.admin.save(update_fields=["is_superuser"])
    visible = Image.objects.visible_to(factories.actor(tenant_a.admin))
    assert names(world, visible) == {"own", "held for an unknown owner"} | SHARED_WITH_A | PUBLIC


def test_the_other_tenant_sees_none_of_the_first_tenants_images(world, tenant_b):
    visible = names(world, Image.objects.visible_to(factories.actor(tenant_b.admin)))
    assert not visible & {"own", "own deleted", "own in another region", "held for an unknown owner"}


@pytest.mark.parametrize(
    ("status", "shared_kept"),
    [
        (MemberStatus.ACCEPTED, {"shared accepted"}),
        (MemberStatus.PENDING, {"shared pending"}),
        (MemberStatus.REJECTED, {"shared rejected"}),
    ],
)
def test_glance_member_status_keeps_the_shared_images_so_answered_and_everything_not_shared(
    world, tenant_a, status, shared_kept
):
    actor = factories.actor(tenant_a.admin)
    kept = Image.objects.visible_to(actor).filter(NotSharedOrAnswered(actor.project.pk, status, cloud_admin=False))
    assert names(world, kept) == {"own"} | PUBLIC | shared_kept


def test_the_answers_of_the_project_alone_count(world, tenant_a):
    project = factories.project_of(tenant_a.account)
    answered = Image.objects.filter(AnsweredBy(project.pk, [MemberStatus.PENDING, MemberStatus.ACCEPTED]))
    assert names(world, answered) == {"shared pending", "shared accepted"}


def test_the_conditions_hold_where_the_images_are_a_subquery_with_a_renamed_table(world, tenant_a):
    actor = factories.actor(tenant_a.admin)
    for name, image in world.items():
        ImageTag.objects.create(image=image, key="kind", value=name)
    accepted = NotSharedOrAnswered(actor.project.pk, MemberStatus.ACCEPTED, cloud_admin=False)
    visible = Image.objects.visible_to(actor).filter(accepted)
    tags = ImageTag.objects.filter(image__in=visible.values("pk"))
    assert '"member"."image_id" = U0' in str(tags.query)  # the images' table, renamed U0 inside the subquery
    assert set(tags.values_list("value", flat=True)) == {"own", "shared accepted"} | PUBLIC


def test_glance_lists_leave_out_the_community_images_of_other_projects_only(world, tenant_a):
    own_community = factories.make_image(factories.project_of(tenant_a.account), visibility=Visibility.COMMUNITY)
    world = {**world, "own community": own_community}
    actor = factories.actor(tenant_a.admin)
    listed = Image.objects.visible_to(actor).filter(OwnOrNotCommunity(actor.project.pk))
    assert names(world, listed) == {"own", "own community"} | SHARED_WITH_A | PUBLIC - {"community"}


def test_a_condition_on_images_refuses_another_model_with_a_clear_error(tenant_a):
    with pytest.raises(FieldError, match="condition on images"):
        list(ImageTag.objects.filter(AnsweredBy(factories.project_of(tenant_a.account).pk, [MemberStatus.ACCEPTED])))
