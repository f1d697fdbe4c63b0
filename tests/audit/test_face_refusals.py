"""Requests refused before any service runs (a body that is not JSON, a malformed patch) are failed attempts at
their operation: traced once, with the caller, the image and the error code. Reads and unsigned calls are not."""

import pytest
from django.urls import resolve, reverse

from audit.models import Trace, TraceResult
from audit.verify import verify_chain
from iam.catalogue import OPERATIONS, operation_at
from tests.factories import make_image, project_of

SAMPLE = {"project_id": "0" * 32, "number": "1", "image_id": "3f1e3b1a-0c7e-4d43-9a51-0d5b8e9b7c11"}


@pytest.fixture
def image(tenant_a):
    return make_image(project_of(tenant_a.account), name="web")


def traces_of(response) -> list[Trace]:
    return list(Trace.objects.filter(request_id=response["X-Request-Id"]))


def test_a_body_that_is_not_json_is_traced_as_a_failed_update(tenant_a, signed_client, image):
    response = signed_client(tenant_a.admin).send(
        "PATCH", f"/v2/cloudimages/{image.id}", data=b'{"name": ', content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"
    [trace] = traces_of(response)
    assert (trace.event_name, trace.operation, trace.result, trace.error_code) == (
        "updateImage",
        "update_image",
        TraceResult.FAILURE,
        "IMG.0001",
    )
    assert (trace.resource_id, trace.username, trace.via) == (str(image.id), tenant_a.admin.username, "api")
    assert trace.account_id == tenant_a.account.id and verify_chain()[1] is None


def test_a_malformed_glance_patch_and_a_bad_delete_flag_are_traced(tenant_a, signed_client, image):
    api = signed_client(tenant_a.admin)
    patch = api.send(
        "PATCH",
        f"/v2/images/{image.id}",
        [{"op": "jump", "path": "/name"}],
        content_type="application/openstack-images-v2.1-json-patch",
    )
    delete = api.send("DELETE", f"/v2/images/{image.id}", {"delete_backup": "yes"})
    assert patch.status_code == delete.status_code == 400
    assert [(t.event_name, t.result) for t in traces_of(patch)] == [("updateImage", TraceResult.FAILURE)]
    assert [(t.event_name, t.result, t.resource_id) for t in traces_of(delete)] == [
        ("deleteImage", TraceResult.FAILURE, str(image.id))
    ]


def test_a_refusal_the_service_traced_is_not_traced_twice(tenant_a, tenant_b, signed_client):
    theirs = make_image(project_of(tenant_b.account))
    response = signed_client(tenant_a.admin).send(
        "PATCH", f"/v2/cloudimages/{theirs.id}", [{"op": "replace", "path": "/name", "value": "mine"}]
    )
    assert response.status_code == 404
    assert [(t.event_name, t.error_code) for t in traces_of(response)] == [("updateImage", "IMG.0002")]


def test_refused_reads_and_unsigned_calls_leave_no_trace(client, tenant_a, signed_client, image):
    api = signed_client(tenant_a.admin)
    read = api.get("/v2/cloudimages", {"limit": "lots"})
    unsigned = client.patch(f"/v2/cloudimages/{image.id}", b'{"name": ', content_type="application/json")
    assert read.status_code == 400 and unsigned.status_code == 401
    assert not traces_of(read) and not traces_of(unsigned)


@pytest.mark.parametrize(
    "op", [op for op in OPERATIONS if op.changes_state and op.path.startswith("/")], ids=lambda op: op.name
)
def test_every_state_changing_api_operation_is_found_from_its_route(op):
    path = op.path
    for name in SAMPLE:
        path = path.replace(f"{{{name}}}", SAMPLE[name])
    path = path.replace("{", "x-").replace("}", "")
    assert operation_at(op.method, resolve(path).route) == op


def test_deleting_another_tenants_image_from_the_console_is_a_traced_404(tenant_a, tenant_b, console_as):
    theirs = make_image(project_of(tenant_b.account))
    response = console_as(tenant_a.admin).post(reverse("images:image_delete", args=[theirs.id]))
    assert response.status_code == 404
    [trace] = traces_of(response)
    assert (trace.event_name, trace.resource_id, trace.error_code) == ("deleteImage", str(theirs.id), "IMG.0002")
    assert theirs.__class__.objects.get(pk=theirs.pk).status == theirs.status
