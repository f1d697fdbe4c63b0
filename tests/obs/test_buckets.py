"""Buckets through the API (AK/SK signed): create, list, delete when empty; names taken per region; isolation
between accounts; who may do what; the audit trail."""

import io

import pytest

from audit.models import Trace
from iam import seeding as iam
from iam.models import Policy
from iam.policies import document_for
from obs import services
from obs.models import Bucket
from tests import factories

BUCKETS = "/v1/obs/buckets"


def error_code(response):
    return response.json()["error"]["code"]


def test_an_administrator_creates_lists_and_deletes_a_bucket(tenant_a, obs_client):
    api = obs_client(tenant_a.admin)
    created = api.post(BUCKETS, {"name": "backups"})
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "backups" and created.json()["region"] == "cn-north-4"
    listed = api.get(BUCKETS).json()["buckets"]
    assert [(b["name"], b["object_count"], b["bytes"]) for b in listed] == [("backups", 0, 0)]
    assert api.delete(f"{BUCKETS}/backups").status_code == 204
    assert api.get(BUCKETS).json()["buckets"] == []
    events = list(Trace.objects.filter(resource_type="obs").order_by("time").values_list("event_name", "result"))
    assert events == [("createBucket", "success"), ("deleteBucket", "success")]


def test_a_bucket_name_is_taken_for_the_whole_region(tenant_a, tenant_b, obs_client):
    assert obs_client(tenant_a.admin).post(BUCKETS, {"name": "shared-name"}).status_code == 201
    again = obs_client(tenant_b.admin).post(BUCKETS, {"name": "shared-name"})
    assert (again.status_code, error_code(again)) == (409, "OBS.0002")
    # Another region is another namespace.
    assert obs_client(tenant_b.admin, "cn-east-3").post(BUCKETS, {"name": "shared-name"}).status_code == 201


@pytest.mark.parametrize("name", ["UPPER", "a", "../../etc", "bad_name", "x" * 64])
def test_invalid_bucket_names_are_refused(tenant_a, obs_client, name):
    response = obs_client(tenant_a.admin).post(BUCKETS, {"name": name})
    assert (response.status_code, error_code(response)) == (400, "OBS.0001")
    assert not Bucket.objects.exists()


def test_a_bucket_with_objects_cannot_be_deleted(tenant_a, obs_client, admin_a, bucket_a):
    services.put_object(admin_a, bucket=bucket_a.name, key="k", stream=io.BytesIO(b"data"), size=4)
    response = obs_client(tenant_a.admin).delete(f"{BUCKETS}/{bucket_a.name}")
    assert (response.status_code, error_code(response)) == (409, "OBS.0003")
    assert Bucket.objects.filter(pk=bucket_a.pk).exists()


def test_another_account_neither_sees_nor_deletes_the_bucket(tenant_b, obs_client, bucket_a):
    api = obs_client(tenant_b.admin)
    assert api.get(BUCKETS).json()["buckets"] == []
    for response in (api.delete(f"{BUCKETS}/{bucket_a.name}"), api.get(f"{BUCKETS}/{bucket_a.name}/objects")):
        assert (response.status_code, error_code(response)) == (404, "OBS.0404")
    assert Bucket.objects.filter(pk=bucket_a.pk).exists()


def test_a_bucket_of_another_region_is_not_found(tenant_a, obs_client, bucket_a):
    response = obs_client(tenant_a.admin, "cn-east-3").get(f"{BUCKETS}/{bucket_a.name}/objects")
    assert response.status_code == 404


def test_ims_read_only_grants_no_object_storage(tenant_a, obs_client, bucket_a):
    """IMS ReadOnlyAccess covers ims:* only; object storage needs its own grant (or Tenant Administrator)."""
    api = obs_client(tenant_a.reader)
    for response in (
        api.get(BUCKETS),
        api.post(BUCKETS, {"name": "reader-bucket"}),
        api.delete(f"{BUCKETS}/{bucket_a.name}"),
    ):
        assert (response.status_code, error_code(response)) == (403, "IMG.0003")
    denied = Trace.objects.filter(result="denied", username=tenant_a.reader.username)
    assert sorted(denied.values_list("event_name", flat=True)) == ["createBucket", "deleteBucket"]


def obs_reader(account):
    """A user holding a custom policy that allows reading object storage only."""
    policy = Policy.objects.create(
        name="OBS read", kind=Policy.Kind.CUSTOM, account=account, document=document_for(("obs:*:get*", "obs:*:list*"))
    )
    group = iam.ensure_group(account, "obs-readers", [policy])
    user, _ = iam.ensure_user(account, f"{account.name}-obs-reader", factories.PASSWORD, groups=[group])
    return user


def test_a_read_only_object_storage_user_lists_and_downloads_but_cannot_write(tenant_a, obs_client, admin_a, bucket_a):
    services.put_object(admin_a, bucket=bucket_a.name, key="k", stream=io.BytesIO(b"data"), size=4)
    api = obs_client(obs_reader(tenant_a.account))
    assert api.get(BUCKETS).status_code == 200
    assert api.get(f"{BUCKETS}/{bucket_a.name}/objects").json()["objects"][0]["key"] == "k"
    assert b"".join(api.get(f"{BUCKETS}/{bucket_a.name}/objects/k").streaming_content) == b"data"
    for response in (
        api.post(BUCKETS, {"name": "nope-bucket"}),
        api.put(f"{BUCKETS}/{bucket_a.name}/objects/x", b"1"),
        api.delete(f"{BUCKETS}/{bucket_a.name}/objects/k"),
        api.delete(f"{BUCKETS}/{bucket_a.name}"),
        api.post("/v1/obs/uploads", {"bucket": bucket_a.name, "key": "big", "size": 10}),
    ):
        assert response.status_code == 403, response.content


def test_the_bucket_list_answers_in_a_fixed_number_of_queries(
    tenant_a, obs_client, admin_a, django_assert_max_num_queries
):
    for number in range(5):
        services.create_bucket(admin_a, name=f"bucket-{number}")
        services.put_object(admin_a, bucket=f"bucket-{number}", key="k", stream=io.BytesIO(b"ab"), size=2)
    api = obs_client(tenant_a.admin)
    api.get(BUCKETS)  # the access key's first use is noted once
    with django_assert_max_num_queries(6):
        listed = api.get(BUCKETS).json()["buckets"]
    assert [(b["object_count"], b["bytes"]) for b in listed] == [(1, 2)] * 5
