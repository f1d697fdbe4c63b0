"""core.fields.JSONField reads what Django's JSONField reads, and migrations take it for Django's own."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, models

from core.fields import JSONField
from images.models import Image
from tests.factories import make_image


@pytest.mark.parametrize("stored", [{}, [], {"a": {}}, [{}], {"k": "v", "n": [1, 2.5, None, True]}, "{}", "x", 0])
def test_it_reads_what_djangos_field_reads(stored):
    text = json.dumps(stored)  # what both write
    ours = JSONField().from_db_value(text, None, connection)
    assert ours == models.JSONField().from_db_value(text, None, connection) == stored
    assert JSONField().from_db_value(None, None, connection) is None


def test_empty_values_read_back_are_new_objects_each_time(tenant_a):
    make_image(tenant_a.project)
    make_image(tenant_a.project)
    first, second = Image.objects.all()[:2]
    assert first.support_flags == {} and first.features == []
    first.support_flags["kvm"] = True
    assert second.support_flags == {}


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # Also what keeps core.fields.JSONField from asking for migrations of the fields that use it.
    output = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()
