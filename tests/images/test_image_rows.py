"""An image read from the database is the same image however it is read: lists build their rows without
Model.__init__ (images/models.py, Image.from_db), so these hold what __init__ would have given."""

from datetime import date

import pytest
from django.db.models.signals import post_init, pre_init

from images.models import Image
from tests.factories import make_image


@pytest.fixture
def stored(tenant_a):
    return make_image(
        tenant_a.project,
        name="row",
        extra_properties={"hw_disk_bus": "virtio"},
        support_flags={"kvm": True},
        features=["x"],
        support_ends=date(2030, 1, 31),
        max_ram=2048,
    )


def test_a_row_read_whole_holds_every_field_and_is_a_stored_instance(stored):
    read = Image.objects.get(pk=stored.pk)
    for field in Image._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.attname
    assert type(read) is Image and read._state.adding is False and read._state.db == "default"
    assert read.owner == stored.owner and read.region_id == stored.region_id  # relations still resolve


def test_a_row_read_whole_saves_as_an_update_and_can_be_refreshed(stored):
    read = Image.objects.get(pk=stored.pk)
    read.name = "renamed"
    read.save(update_fields=["name"])
    assert Image.objects.count() == 1 and Image.objects.get(pk=stored.pk).name == "renamed"
    read.refresh_from_db()
    assert read.name == "renamed"


def test_a_partial_row_still_defers_what_it_did_not_read(stored, django_assert_num_queries):
    read = Image.objects.only("id", "name").get(pk=stored.pk)
    assert read.get_deferred_fields() >= {"description", "extra_properties"}
    with django_assert_num_queries(1):
        assert read.extra_properties == {"hw_disk_bus": "virtio"}


def test_nothing_listens_to_an_images_init_signals():
    # The fast path sends neither signal: a listener added to Image would be skipped for rows read whole.
    assert not pre_init.has_listeners(Image) and not post_init.has_listeners(Image)
