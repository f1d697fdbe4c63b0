"""Every tag operation of the API: v1, v2 and Glance paths, their refusals, isolation and audit."""

import pytest

from audit.models import Trace, TraceResult
from images.models import ImageTag
from tests.factories import make_image, share


def tags_of(image) -> dict:
    return dict(ImageTag.objects.filter(image=image).values_list("key", "value"))


@pytest.fixture
def project_id(tenant_a):
    return tenant_a.project.id


def test_v1_put_accepts_the_legacy_string_and_the_key_value_object(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert (
        api_a.send("PUT", "/v1/cloudimages/tags", {"image_id": str(image.id), "tag": "env.prod.eu"}).status_code == 204
    )
    assert (
        api_a.send(
            "PUT", "/v1/cloudimages/tags", {"image_id": str(image.id), "image_tag": {"key": "team", "value": "web"}}
        ).status_code
        == 204
    )
    assert tags_of(image) == {"env": "prod.eu", "team": "web"}
    assert (
        api_a.send(
            "PUT", "/v1/cloudimages/tags", {"image_id": str(image.id), "image_tag": {"key": "team", "value": "db"}}
        ).status_code
        == 204
    )
    assert tags_of(image)["team"] == "db"
    assert Trace.objects.filter(event_name="addTag", result=TraceResult.SUCCESS).count() == 3
    missing = api_a.send("PUT", "/v1/cloudimages/tags", {"tag": "a.b"})
    assert missing.status_code == 400 and "image_id" in missing.json()["error"]["message"]


def test_v1_list_gives_the_projects_tags_as_strings_with_filters(api_a, api_b, tenant_a, tenant_b):
    make_image(tenant_a.project, name="web", tags={"env": "prod", "team": "web"})
    make_image(tenant_a.project, name="db", tags={"env": "test"}, status="saving")
    make_image(tenant_b.project, tags={"secret": "b"})
    assert api_a.get("/v1/cloudimages/tags").json() == {"tags": ["env.prod", "env.test", "team.web"]}
    assert api_a.get("/v1/cloudimages/tags", {"status": "active"}).json()["tags"] == ["env.prod", "team.web"]
    assert api_a.get("/v1/cloudimages/tags", {"limit": "1", "page": "2"}).json()["tags"] == ["env.test"]
    assert api_b.get("/v1/cloudimages/tags").json() == {"tags": ["secret.b"]}


def test_v1_batch_delete_removes_the_named_keys(api_a, tenant_a, project_id):
    image = make_image(tenant_a.project, tags={"a": "1", "b": "2", "c": "3"})
    response = api_a.send(
        "DELETE",
        f"/v1/{project_id}/cloudimages/{image.id}/tags/delete",
        {"tags": [{"key": "a", "value": "1"}, {"key": "b"}]},
    )
    assert response.status_code == 204 and tags_of(image) == {"c": "3"}
    assert Trace.objects.get(event_name="deleteTag").result == TraceResult.SUCCESS


def test_v2_add_list_and_delete_one_tag(api_a, tenant_a, project_id):
    image = make_image(tenant_a.project)
    base = f"/v2/{project_id}/images/{image.id}/tags"
    assert api_a.send("POST", base, {"tag": {"key": "k", "value": "v"}}).status_code == 204
    assert api_a.get(base).json() == {"tags": [{"key": "k", "value": "v"}]}
    assert api_a.send("DELETE", f"{base}/k").status_code == 204
    assert api_a.get(base).json() == {"tags": []}
    missing = api_a.send("DELETE", f"{base}/k")
    assert missing.status_code == 404


def test_v2_batch_action_creates_and_deletes(api_a, tenant_a, project_id):
    image = make_image(tenant_a.project, tags={"old": "x"})
    url = f"/v2/{project_id}/images/{image.id}/tags/action"
    created = api_a.send("POST", url, {"action": "create", "tags": [{"key": "a", "value": "1"}, {"key": "b"}]})
    assert created.status_code == 204 and tags_of(image) == {"old": "x", "a": "1", "b": ""}
    deleted = api_a.send("POST", url, {"action": "delete", "tags": [{"key": "old", "value": "x"}]})
    assert deleted.status_code == 204 and tags_of(image) == {"a": "1", "b": ""}
    assert api_a.send("POST", url, {"action": "Create", "tags": [{"key": "c"}]}).status_code == 400
    assert Trace.objects.filter(event_name="batchTagsAction", result=TraceResult.SUCCESS).count() == 2


def test_an_image_has_at_most_ten_tags(api_a, tenant_a, project_id):
    image = make_image(tenant_a.project, tags={f"k{n}": "v" for n in range(10)})
    response = api_a.send("POST", f"/v2/{project_id}/images/{image.id}/tags", {"tag": {"key": "eleventh"}})
    assert response.status_code == 400 and "10" in response.json()["error"]["message"]
    overwrite = api_a.send("POST", f"/v2/{project_id}/images/{image.id}/tags", {"tag": {"key": "k1", "value": "w"}})
    assert overwrite.status_code == 204 and tags_of(image)["k1"] == "w"


@pytest.mark.parametrize(
    "tag", [{"key": ""}, {"key": "bad key!"}, {"key": "k" * 37}, {"key": "k", "value": "v" * 44}, {"value": "no key"}]
)
def test_tags_breaking_the_rules_are_refused(api_a, tenant_a, project_id, tag):
    image = make_image(tenant_a.project)
    response = api_a.send("POST", f"/v2/{project_id}/images/{image.id}/tags", {"tag": tag})
    assert response.status_code == 400 and tags_of(image) == {}


def test_list_images_tags_groups_values_by_key(api_a, tenant_a, project_id):
    make_image(tenant_a.project, tags={"env": "prod", "team": "web"})
    make_image(tenant_a.project, tags={"env": "test"})
    body = api_a.get(f"/v2/{project_id}/images/tags").json()
    assert body == {"tags": [{"key": "env", "values": ["prod", "test"]}, {"key": "team", "values": ["web"]}]}


def test_list_image_by_tags_filters_counts_and_pages_with_string_limits(api_a, tenant_a, project_id):
    web = make_image(tenant_a.project, name="web-1", tags={"env": "prod", "team": "web"})
    db = make_image(tenant_a.project, name="db-1", tags={"env": "prod", "team": "db"})
    test = make_image(tenant_a.project, name="web-test", tags={"env": "test"})
    bare = make_image(tenant_a.project, name="bare")
    url = f"/v2/{project_id}/images/resource_instances/action"

    def ids(body):
        response = api_a.send("POST", url, {"action": "filter", **body})
        assert response.status_code == 200, response.json()
        return {r["resource_id"] for r in response.json()["resources"]}

    assert ids({"tags": [{"key": "env", "values": ["prod"]}]}) == {str(web.id), str(db.id)}
    assert ids({"tags_any": [{"key": "team", "values": ["db"]}, {"key": "env", "values": ["test"]}]}) == {
        str(db.id),
        str(test.id),
    }
    assert ids({"not_tags": [{"key": "team", "values": []}]}) == {str(test.id), str(bare.id)}
    assert ids({"not_tags_any": [{"key": "env", "values": []}]}) == {str(bare.id)}
    assert ids({"matches": [{"key": "resource_name", "value": "web"}]}) == {str(web.id), str(test.id)}
    assert ids({"without_any_tag": True, "tags": [{"key": "env", "values": []}]}) == {str(bare.id)}
    page = api_a.send("POST", url, {"action": "filter", "limit": "1", "offset": "1"}).json()
    assert len(page["resources"]) == 1 and page["total_count"] == 4
    resource = api_a.send("POST", url, {"action": "filter", "tags": [{"key": "team", "values": ["web"]}]}).json()
    assert resource["resources"][0] == {
        "resource_id": str(web.id),
        "resource_name": "web-1",
        "resource_detail": {"status": "active"},
        "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}],
    }
    count = api_a.send("POST", url, {"action": "count", "tags": [{"key": "env", "values": ["prod"]}]})
    assert count.json() == {"total_count": 2}
    assert api_a.send("POST", url, {"action": "filter", "limit": "lots"}).status_code == 400
    assert api_a.send("POST", url, {"action": "find"}).status_code == 400


def test_glance_put_and_delete_a_tag(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert api_a.send("PUT", f"/v2/images/{image.id}/tags/blue", data=b"").status_code == 204
    assert api_a.send("PUT", f"/v2/images/{image.id}/tags/blue", data=b"").status_code == 204
    assert tags_of(image) == {"blue": ""}
    assert api_a.send("PUT", f"/v2/images/{image.id}/tags/a.b", data=b"").status_code == 400
    assert api_a.send("PUT", f"/v2/images/{image.id}/tags/a=b", data=b"").status_code == 400
    assert api_a.send("DELETE", f"/v2/images/{image.id}/tags/blue", data=b"").status_code == 204
    assert api_a.send("DELETE", f"/v2/images/{image.id}/tags/blue", data=b"").status_code == 404


def test_a_path_project_must_be_the_callers(api_a, tenant_a, tenant_b):
    image = make_image(tenant_a.project)
    assert api_a.get(f"/v2/{tenant_b.project.id}/images/{image.id}/tags").status_code == 404
    literal = api_a.get("/v2/{project_id}/images/tags")
    assert literal.status_code == 400


def test_another_tenant_can_never_tag_a_shared_or_private_image(api_b, tenant_a, tenant_b):
    image = make_image(tenant_a.project, tags={"keep": "me"})
    share(image, tenant_b.project, "accepted")
    b = tenant_b.project.id
    attempts = [
        ("PUT", "/v1/cloudimages/tags", {"image_id": str(image.id), "tag": "x.y"}),
        ("DELETE", f"/v1/{b}/cloudimages/{image.id}/tags/delete", {"tags": [{"key": "keep"}]}),
        ("POST", f"/v2/{b}/images/{image.id}/tags", {"tag": {"key": "x"}}),
        ("POST", f"/v2/{b}/images/{image.id}/tags/action", {"action": "delete", "tags": [{"key": "keep"}]}),
        ("DELETE", f"/v2/{b}/images/{image.id}/tags/keep", None),
        ("PUT", f"/v2/images/{image.id}/tags/x", None),
        ("DELETE", f"/v2/images/{image.id}/tags/keep", None),
    ]
    for method, path, body in attempts:
        response = api_b.send(method, path, body) if body is not None else api_b.send(method, path, data=b"")
        assert response.status_code == 404, (method, path, response.status_code)
    assert tags_of(image) == {"keep": "me"}


def test_a_reader_may_list_but_not_change_tags_and_the_refusal_is_traced(signed_client, tenant_a, project_id):
    image = make_image(tenant_a.project, tags={"keep": "me"})
    reader = signed_client(tenant_a.reader)
    assert reader.get(f"/v2/{project_id}/images/{image.id}/tags").status_code == 200
    response = reader.send("POST", f"/v2/{project_id}/images/{image.id}/tags", {"tag": {"key": "x"}})
    assert response.status_code == 403
    assert reader.send("DELETE", f"/v2/images/{image.id}/tags/keep", data=b"").status_code == 403
    assert list(Trace.objects.values_list("event_name", "result").order_by("time")) == [
        ("addTag", TraceResult.DENIED),
        ("deleteTag", TraceResult.DENIED),
    ]
    assert tags_of(image) == {"keep": "me"}
