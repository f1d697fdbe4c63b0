"""The SQLite backend's own reading of dates and times (core/sqlite3/base.py): the same values as Django's
converter gives, aware in the connection's zone, by a shorter path."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Max
from django.test import override_settings

from images.models import Image
from tests.factories import make_image, project_of

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's converter")


def convert(value):
    return connection.ops.convert_datetimefield_value(value, None, connection)


def test_a_stored_time_is_read_aware_in_utc_with_its_microseconds():
    assert convert(datetime(2026, 1, 2, 3, 4, 5, 6)) == datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert convert(datetime(2026, 1, 2, 3, 4, 5, 6)).tzinfo is UTC


def test_text_from_an_expression_and_a_null_read_as_before():
    assert convert("2026-01-02 03:04:05.000006") == datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert convert(None) is None


def test_without_time_zones_a_time_stays_naive():
    with override_settings(USE_TZ=False):
        assert convert(datetime(2026, 1, 2, 3, 4, 5)).tzinfo is None


def test_images_keep_their_times_through_a_round_trip(tenant_a):
    written = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    image = make_image(project_of(tenant_a.account), created_at=written)
    read = Image.objects.get(pk=image.pk)
    assert read.created_at == written and read.created_at.tzinfo is UTC and read.active_at is None
    assert Image.objects.aggregate(latest=Max("created_at"))["latest"] == written
