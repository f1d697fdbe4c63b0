"""GET /v3/traces: the caller's account's traces, with the console's filters and marker pagination."""

from audit.recorder import record
from tests import factories

URL = "/v3/traces"


def trace_for(tenant, **fields):
    defaults = dict(event="updateImage", operation="update_image", resource_id="res-1")
    return record(**{**defaults, **fields}, actor=factories.actor(tenant.admin))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [trace["id"] for trace in response.json()["traces"]]


def test_the_api_lists_the_callers_account_with_filters(tenant_a, tenant_b, signed_client):
    a = trace_for(tenant_a, event="addTag", resource_id="img-1")
    b = trace_for(tenant_a, event="deleteImage", result="failure")
    theirs = trace_for(tenant_b, event="addTag", resource_id="img-1")
    api = signed_client(tenant_a.reader)
    assert ids(api.get(URL)) == [b.pk, a.pk]
    assert ids(api.get(URL, {"event_name": "addTag"})) == [a.pk]
    assert ids(api.get(URL, {"resource_id": "img-1"})) == [a.pk]
    assert ids(api.get(URL, {"result": "failure"})) == [b.pk]
    assert ids(api.get(URL, {"user": "alpha-admin"})) == [b.pk, a.pk]
    assert ids(signed_client(tenant_b.admin).get(URL)) == [theirs.pk]
    body = api.get(URL).json()["traces"][0]
    assert body["hash"] == b.hash and body["time"].endswith("Z") and body["account_id"] == tenant_a.account.id


def test_the_api_pages_with_marker_and_limit(tenant_a, signed_client):
    traces = [trace_for(tenant_a, resource_id=f"r{n}") for n in range(5)]
    api = signed_client(tenant_a.admin)
    first = api.get(URL, {"limit": 2}).json()
    assert [t["id"] for t in first["traces"]] == [traces[4].pk, traces[3].pk]
    marker = first["page_info"]["next_marker"]
    assert ids(api.get(URL, {"limit": 2, "marker": marker})) == [traces[2].pk, traces[1].pk]
    assert ids(api.get(URL, {"limit": 2, "marker": traces[1].pk})) == [traces[0].pk]
    assert api.get(URL, {"limit": "x"}).status_code == 400


def test_the_api_needs_authentication_and_is_in_the_schema(client, tenant_a):
    assert client.get(URL).status_code in (401, 403)
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/v3/traces" in schema and "list_traces" in schema
