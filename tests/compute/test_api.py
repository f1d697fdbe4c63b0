"""The ECS, EVS and CBR paths: the official shapes, and every refusal as a stable code in the error body."""

import pytest

from compute.network import default_subnet_id, default_vpc_id
from tests import factories
from tests.api_clients import SignedClient
from tests.compute.helpers import content_image

pytestmark = pytest.mark.usefixtures("own_var_dir")


@pytest.fixture
def api(tenant_a):
    return SignedClient(tenant_a.admin, project=factories.project_of(tenant_a.account))


@pytest.fixture
def image(tenant_a, tmp_path):
    return content_image(factories.project_of(tenant_a.account), tmp_path)


def body(api, image, **server):
    project = factories.project_of(api.user.iam.account)
    return {
        "server": {
            "name": "api-web",
            "imageRef": str(image.pk),
            "flavorRef": "s6.large.2",
            "vpcid": default_vpc_id(project),
            "nics": [{"subnet_id": default_subnet_id(project)}],
            "root_volume": {"volumetype": "SSD", "size": 40},
            **server,
        }
    }


def test_create_show_back_up_and_image_a_server_through_the_api(api, image):
    p = api.project_id
    created = api.send(
        "POST", f"/v1/{p}/cloudservers", body(api, image, data_volumes=[{"volumetype": "SSD", "size": 10}])
    )
    assert created.status_code == 200, created.content
    [server_id] = created.json()["serverIds"]
    job = api.get(f"/v1/{p}/jobs/{created.json()['job_id']}").json()
    assert job["status"] == "SUCCESS" and job["entities"]["sub_jobs"][0]["entities"]["server_id"] == server_id
    shown = api.get(f"/v1/{p}/cloudservers/{server_id}").json()["server"]
    attached = shown["os-extended-volumes:volumes_attached"]
    assert [v["bootIndex"] for v in attached] == ["0", "1"] and shown["OS-EXT-AZ:availability_zone"].endswith("a")
    backup = api.send(
        "POST", f"/v3/{p}/checkpoint", {"checkpoint": {"parameters": {"resource_details": [{"id": server_id}]}}}
    )
    backup_id = backup.json()["checkpoint"]["id"]
    listed = api.get(f"/v3/{p}/backups").json()
    assert listed["count"] == 1 and listed["backups"][0]["resource_id"] == server_id
    vault = listed["backups"][0]["vault_id"]
    whole = api.send(
        "POST",
        "/v1/cloudimages/wholeimages/action",
        {"name": "api-whole", "backup_id": backup_id, "whole_image_type": "CBR", "vault_id": vault},
    )
    assert api.get(f"/v1/{p}/jobs/{whole.json()['job_id']}").json()["status"] == "SUCCESS"
    data_volume = attached[1]["id"]
    data_image = api.send("POST", "/v2/cloudimages/action", {"name": "api-data", "volume_id": data_volume})
    assert api.get(f"/v1/{p}/jobs/{data_image.json()['job_id']}").json()["entities"]["image_id"]
    volumes = api.get(f"/v2/{p}/cloudvolumes/detail").json()
    assert volumes["count"] == 2 and {v["attachments"][0]["server_id"] for v in volumes["volumes"]} == {server_id}


@pytest.mark.parametrize(
    ("server", "status", "code"),
    [
        ({"flavorRef": "m9.huge"}, 404, "Ecs.0023"),
        ({"vpcid": "00000000-0000-0000-0000-000000000000"}, 404, "Ecs.0005"),
        ({"root_volume": {"size": 2000}}, 400, "IMG.0001"),
        ({"data_volumes": [{"size": 5}]}, 400, "IMG.0001"),
        ({"count": 0}, 400, "IMG.0001"),
        ({"availability_zone": "mars-1a"}, 400, "IMG.0001"),
        ({"imageRef": "00000000-0000-0000-0000-000000000000"}, 404, "IMG.0002"),
        ({"name": ""}, 400, "IMG.0001"),
    ],
)
def test_refused_server_requests(api, image, server, status, code):
    answer = api.send("POST", f"/v1/{api.project_id}/cloudservers", body(api, image, **server))
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.content


def test_refused_image_requests_from_servers(api, image):
    from compute.models import Server

    created = api.send("POST", f"/v1/{api.project_id}/cloudservers", body(api, image)).json()
    server_id = created["serverIds"][0]
    Server.objects.filter(pk=server_id).update(frozen=True)
    for path, request, code in (
        ("/v2/cloudimages/action", {"name": "x", "instance_id": server_id}, "Ecs.0040"),
        ("/v1/cloudimages/wholeimages/action", {"name": "x", "instance_id": server_id}, "Ecs.0040"),
        ("/v1/cloudimages/wholeimages/action", {"name": "x", "backup_id": "b", "whole_image_type": "CSBS"}, "IMG.0133"),
        ("/v1/cloudimages/wholeimages/action", {"name": "x", "backup_id": "b", "whole_image_type": "CBR"}, "IMG.0001"),
        ("/v1/cloudimages/wholeimages/action", {"name": "x"}, "IMG.0001"),
        ("/v2/cloudimages/action", {"name": "x", "instance_id": server_id, "cmk_id": "k"}, "IMG.0001"),
    ):
        answer = api.send("POST", path, request)
        assert answer.json()["error"]["code"] == code, (request, answer.content)
