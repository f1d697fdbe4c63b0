"""PATCH /v2/images/{id}: RFC 6902 `add` replaces, extra properties, reserved names, os_hidden."""

from tests.factories import make_image
from tests.images.glance.conftest import listed, patch


def test_add_on_an_attribute_that_has_a_value_replaces_it(api_a, tenant_a):
    image = make_image(tenant_a.project, name="before")
    response = patch(api_a, image.id, {"op": "add", "path": "/name", "value": "after"})
    assert response.status_code == 200 and response.json()["name"] == "after"


def test_extra_properties_are_added_replaced_and_removed(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert (
        patch(api_a, image.id, {"op": "add", "path": "/os_distro", "value": "debian"}).json()["os_distro"] == "debian"
    )
    replaced = patch(api_a, image.id, {"op": "replace", "path": "/os_distro", "value": "ubuntu"})
    assert replaced.json()["os_distro"] == "ubuntu"
    removed = patch(api_a, image.id, {"op": "remove", "path": "/os_distro"})
    assert removed.status_code == 200 and "os_distro" not in removed.json()
    assert patch(api_a, image.id, {"op": "remove", "path": "/os_distro"}).status_code == 409
    assert patch(api_a, image.id, {"op": "replace", "path": "/os_version_x", "value": "1"}).status_code == 409


def test_extra_property_values_must_be_strings(api_a, tenant_a):
    image = make_image(tenant_a.project)
    response = patch(api_a, image.id, {"op": "add", "path": "/hw_cpu_cores", "value": 4})
    assert response.status_code == 400


def test_reserved_and_fixed_names_are_refused_with_403(api_a, tenant_a):
    image = make_image(tenant_a.project)
    for path in ("/os_glance_foo", "/status", "/id", "/disk_format"):
        assert patch(api_a, image.id, {"op": "add", "path": path, "value": "x"}).status_code == 403, path


def test_a_hidden_image_leaves_the_list_until_asked_for(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert str(image.id) in listed(api_a)
    hidden = patch(api_a, image.id, {"op": "replace", "path": "/os_hidden", "value": True})
    assert hidden.status_code == 200 and hidden.json()["os_hidden"] is True
    assert str(image.id) not in listed(api_a)
    assert str(image.id) in listed(api_a, os_hidden="true")
    assert str(image.id) in listed(api_a, os_hidden="True")  # openstacksdk spells it so
    assert api_a.get(f"/v2/images/{image.id}").status_code == 200


def test_visibility_changes_follow_who_may_set_them(api_a, operator, tenant_a):
    image = make_image(tenant_a.project)
    assert patch(api_a, image.id, {"op": "replace", "path": "/visibility", "value": "shared"}).status_code == 200
    assert patch(api_a, image.id, {"op": "replace", "path": "/visibility", "value": "public"}).status_code == 403
