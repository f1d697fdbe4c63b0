"""Glance's metadata definitions: the seeded standard namespaces, reads for everyone, writes for a cloud
administrator, and Glance's statuses for names taken and protected namespaces."""

import pytest
from django.core.management import call_command

from images.metadefs.models import Namespace, ResourceType

BASE = "/v2/metadefs/namespaces"


@pytest.fixture
def standard(db):
    call_command("load_metadefs", verbosity=0)


def test_loading_twice_changes_nothing(standard):
    count = Namespace.objects.count()
    Namespace.objects.filter(namespace="OS::OperatingSystem").update(description="edited by the operator")
    call_command("load_metadefs", verbosity=0)
    assert Namespace.objects.count() == count >= 15
    assert Namespace.objects.get(namespace="OS::OperatingSystem").description == "edited by the operator"
    assert ResourceType.objects.filter(name="OS::Glance::Image").exists()


def test_a_tenant_reads_the_standard_namespaces_but_cannot_write(api_a, standard):
    listed = api_a.get(BASE, {"resource_types": "OS::Glance::Image"}).json()["namespaces"]
    assert "OS::Compute::LibvirtImage" in [namespace["namespace"] for namespace in listed]
    shown = api_a.get(f"{BASE}/OS::Compute::LibvirtImage").json()
    assert shown["properties"]["hw_disk_bus"]["type"] == "string" and shown["protected"] is True
    assert api_a.get("/v2/metadefs/resource_types").json()["resource_types"]
    assert api_a.send("POST", BASE, {"namespace": "mine"}).status_code == 403


def test_an_administrator_manages_a_namespace_and_its_content(operator, api_b):
    body = {"namespace": "ops", "visibility": "private", "protected": True, "tags": [{"name": "a"}]}
    assert operator.send("POST", BASE, body).status_code == 201
    assert operator.send("POST", BASE, {"namespace": "ops"}).status_code == 409
    assert api_b.get(f"{BASE}/ops").status_code == 404  # private: another project does not see it
    new_property = {"name": "speed", "title": "Speed", "type": "integer", "minimum": 1}
    assert operator.send("POST", f"{BASE}/ops/properties", new_property).status_code == 201
    assert operator.send("POST", f"{BASE}/ops/objects", {"name": "Disk", "required": ["speed"]}).status_code == 201
    assert operator.send("POST", f"{BASE}/ops/tags/b").status_code == 201
    assert [tag["name"] for tag in operator.get(f"{BASE}/ops/tags").json()["tags"]] == ["a", "b"]
    assert operator.send("DELETE", f"{BASE}/ops").status_code == 403  # protected
    assert operator.send("PUT", f"{BASE}/ops", {"namespace": "ops", "protected": False}).status_code == 200
    assert operator.send("DELETE", f"{BASE}/ops/properties/speed").status_code == 204
    assert operator.send("DELETE", f"{BASE}/ops").status_code == 204
    assert operator.get(f"{BASE}/ops").status_code == 404


def test_bad_bodies_are_refused_with_the_field_named(operator):
    operator.send("POST", BASE, {"namespace": "bad"})
    response = operator.send("POST", f"{BASE}/bad/properties", {"name": "p", "type": "string"})
    assert response.status_code == 400 and "title" in response.json()["error"]["message"]
    assert operator.send("POST", BASE, {"namespace": "x", "visibility": "everyone"}).status_code == 400


@pytest.mark.parametrize("name", ["namespace", "namespaces", "object", "objects", "property", "properties", "tag"])
def test_every_metadefs_schema_is_served(client, name):
    response = client.get(f"/v2/schemas/metadefs/{name}")
    assert response.status_code == 200 and response.json()["name"] == name


def test_writes_and_refused_writes_are_traced_under_their_own_events(operator, api_a, tenant_a):
    from audit.models import Trace

    assert operator.send("POST", BASE, {"namespace": "traced"}).status_code == 201
    assert operator.send("POST", f"{BASE}/traced/tags/t").status_code == 201
    assert api_a.send("DELETE", f"{BASE}/traced").status_code == 403
    rows = Trace.objects.filter(operation__contains="metadef").order_by("id")
    assert [(row.event_name, row.result, row.username) for row in rows] == [
        ("createMetadefNamespace", "success", "cloud-operator"),
        ("createMetadefTag", "success", "cloud-operator"),
        ("deleteMetadefNamespace", "denied", tenant_a.admin.username),
    ]
    assert rows[0].resource_name == "traced" and rows[1].summary == {"namespace": "traced", "name": "t"}
