"""The tag services called directly: one function per catalogue operation, reads scoped to the project."""

import pytest

from audit.models import Trace, TraceResult
from core.errors import ImsError
from iam.authz import PermissionDenied
from images.models import ImageTag
from images.services import tags
from tests.factories import actor, make_image


def keys(image):
    return dict(ImageTag.objects.filter(image=image).values_list("key", "value"))


def test_every_write_operation_changes_tags_and_is_traced_under_its_event(tenant_a):
    me, image = actor(tenant_a.admin), make_image(tenant_a.project)
    tags.create_or_update_tags(me, image=image, tags=tags.legacy_tag("a.1"))
    tags.add_image_tag(me, image=image, tags={"b": "2"})
    tags.batch_add_or_delete_tags(me, image=image, action="create", tags={"c": "3"})
    tags.glance_create_tag(me, image=image, tag="d")
    assert keys(image) == {"a": "1", "b": "2", "c": "3", "d": ""}
    tags.batch_add_or_delete_tags(me, image=image, action="delete", tags={"c": "3"})
    tags.batch_delete_tags(me, image=image, tags={"b": ""})
    tags.delete_image_tag(me, image=image, key="a")
    tags.glance_delete_tag(me, image=image, tag="d")
    assert keys(image) == {}
    events = list(Trace.objects.order_by("time").values_list("event_name", flat=True))
    assert events == [
        "addTag",
        "addTag",
        "batchTagsAction",
        "addTag",
        "batchTagsAction",
        "deleteTag",
        "deleteTag",
        "deleteTag",
    ]


def test_reads_see_only_the_projects_own_images(tenant_a, tenant_b):
    make_image(tenant_a.project, tags={"env": "prod"})
    make_image(tenant_b.project, tags={"other": "x"})
    me = actor(tenant_a.reader)
    assert tags.list_tags(me, query={}) == ["env.prod"]
    assert tags.list_images_tags(me) == [{"key": "env", "values": ["prod"]}]
    assert tags.list_image_by_tags(me, action="count") == tags.TagSelection(None, 1)


def test_a_reader_cannot_write_tags(tenant_a):
    image = make_image(tenant_a.project)
    with pytest.raises(PermissionDenied):
        tags.add_image_tag(actor(tenant_a.reader), image=image, tags={"x": ""})
    assert Trace.objects.get().result == TraceResult.DENIED


@pytest.mark.parametrize("tag", ["a.b", "a=b", "", "x" * 37])
def test_glance_tags_refuse_dots_equals_and_bad_lengths(tenant_a, tag):
    with pytest.raises(ImsError):
        tags.glance_create_tag(actor(tenant_a.admin), image=make_image(tenant_a.project), tag=tag)


def test_images_are_selected_by_tag_filters_and_name_parts(tenant_a):
    me = actor(tenant_a.admin)
    web = make_image(tenant_a.project, name="web-1", tags={"env": "prod", "team": "web"})
    make_image(tenant_a.project, name="db-1", tags={"env": "prod"})
    bare = make_image(tenant_a.project, name="web-bare")
    prod = [tags.TagFilter("env", ("prod",))]
    selection = tags.list_image_by_tags(me, action="filter", tags=prod, names=["web"])
    assert [image.id for image in selection.page] == [web.id] and selection.total_count == 1
    assert tags.list_image_by_tags(me, action="filter", without_any_tag=True, tags=prod).page == [bare]
    assert tags.list_image_by_tags(me, action="count", not_tags_any=[tags.TagFilter("team")]).total_count == 2
