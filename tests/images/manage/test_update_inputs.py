"""The patch bodies of image modification and Glance's delete options, parsed by the API's input."""

import pytest
import yaml
from django.test import Client

from core.errors import ImsError
from images.api.inputs.update import delete_options, parse_patch
from images.services.update import Change


def test_parse_patch_reads_both_shapes_and_the_description_alias():
    assert parse_patch([{"op": "add", "path": "/description", "value": "x"}]) == [Change("add", "__description", "x")]
    assert parse_patch([{"replace": "/name", "value": "y"}], style="2.0") == [Change("replace", "name", "y")]
    with pytest.raises(ImsError):
        parse_patch([{"replace": "/name", "remove": "/x"}], style="2.0")
    with pytest.raises(ImsError):
        parse_patch([{"op": "replace", "path": "name", "value": "x"}])


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "body: must be a non-empty JSON array of changes."),
        ({"op": "replace"}, "body: must be a non-empty JSON array of changes."),
        (["x"], "body: each change must be a JSON object."),
        ([{"op": "jump", "path": "/name"}], "op: must be add, replace or remove."),
        ([{"op": "add", "path": "/"}], "path: must name one attribute, as /name."),
    ],
)
def test_malformed_patches_are_refused_naming_the_field(body, message):
    with pytest.raises(ImsError) as refused:
        parse_patch(body)
    assert (refused.value.code, refused.value.message) == ("IMG.0001", message)


def test_glance_delete_options_default_to_keeping_the_backup():
    assert delete_options(None) == delete_options({}) == {"delete_backup": False}
    assert delete_options({"delete_backup": True}) == {"delete_backup": True}
    for body in ({"delete_backup": "yes"}, {"delete_backup": None}, ["x"]):
        with pytest.raises(ImsError) as refused:
            delete_options(body)
        assert refused.value.message == "delete_backup: must be true or false."


def test_the_api_schema_documents_every_image_answer_in_official_field_names():
    schema = yaml.safe_load(Client().get("/api/schema").content)
    components = schema["components"]["schemas"]
    assert {"__os_version", "__imagetype", "__support_kvm", "support_status"} <= set(
        components["ImageInfo"]["properties"]
    )
    assert {"__image_location", "__os_version"} <= set(components["GlanceImage"]["properties"])
    patch = schema["paths"]["/v2/images/{image_id}"]["patch"]["requestBody"]["content"]
    assert patch["application/openstack-images-v2.1-json-patch"]["schema"]["items"]["$ref"].endswith("/PatchOperation")
    versions = schema["paths"]["/v1/cloudimages/os_version"]["get"]["responses"]["200"]["content"]["application/json"]
    assert versions["schema"]["type"] == "array"
