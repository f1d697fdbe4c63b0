"""JSON responses rendered with orjson carry the same bytes DRF's own renderer gives, for every kind of value the
API answers with."""

import datetime
import decimal
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from core.renderers import OrjsonRenderer
from images.choices import ImageStatus


def test_same_bytes_as_drf():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    data = {
        "images": [{"id": uuid.uuid4(), "status": ImageStatus.ACTIVE, "size": 2**40, "name": "云镜像 \u2028"}],
        "moment": moment,
        "day": moment.date(),
        "ratio": decimal.Decimal("1.5"),
        "label": gettext_lazy("Images"),
        "nothing": None,
        "empty": {},
    }
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_beyond_64_bits_and_indented_bodies_fall_back_to_drf():
    for data, media_type in (({"big": 2**70}, None), ({"a": [1]}, "application/json; indent=2")):
        assert OrjsonRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)
