"""The import bodies as the API parses them: the services' typed arguments, or the refusal every face gives."""

import pytest
import yaml
from django.test import Client

from core.errors import ImsError
from images.api.inputs.common import parse
from images.api.inputs.imports import (
    CreateDataImageInput,
    CreateImageInput,
    CreateWholeImageInput,
    GlanceCreateImageInput,
    ImportImageQuickInput,
    RegisterImageInput,
)
from images.choices import VirtualEnvType


def refusal(serializer, body) -> ImsError:
    with pytest.raises(ImsError) as refused:
        parse(serializer, body)
    return refused.value


def test_a_create_body_becomes_the_services_typed_arguments():
    body = {"name": "web", "image_url": "b:k", "os_version": "CentOS 7.9 64bit", "image_tags": [{"key": "env"}]}
    assert parse(CreateImageInput, {**body, "type": "BMS", "sha256": "A" * 64, "architecture": "arm"}) == {
        "name": "web",
        "description": "",
        "min_disk": 40,
        "architecture": "arm",
        "hw_firmware_type": "bios",  # the service makes an ARM image boot with UEFI
        "min_ram": 0,
        "max_ram": None,
        "tags": {"env": ""},
        "sha256": "a" * 64,
        "cmk_id": None,
        "image_url": "b:k",
        "os_type": "Linux",
        "os_version": "CentOS 7.9 64bit",
        "virtual_env_type": VirtualEnvType.IRONIC,
    }


@pytest.mark.parametrize(
    "serializer, body, message",
    [
        (CreateImageInput, {"name": "x", "instance_id": "s", "image_url": "b:k"}, "image_url: give image_url,"),
        (CreateImageInput, {"name": "x", "instance_id": "s", "volume_id": "v"}, "volume_id: give instance_id or"),
        (CreateImageInput, {"name": "x", "volume_id": "v", "data_images": [{}]}, "data_images: data disk images"),
        (CreateImageInput, {"name": "x", "instance_id": "s", "data_images": [{"name": "d"}]}, "data_images: each"),
        (CreateImageInput, {"name": "x"}, "image_url: is required: the bucket:key of the image file."),
        (CreateImageInput, {"name": "x", "image_url": "b:k", "type": "Docker"}, "type: must be ECS, BMS or IsoImage."),
        (CreateImageInput, {"name": "x", "image_url": "b:k", "type": ["ECS"]}, "type: must be ECS, BMS or IsoImage."),
        (CreateImageInput, {"name": "x", "image_url": "b:k", "min_disk": 39}, "min_disk: must be between 40 and 1024."),
        (CreateImageInput, {"name": "x", "image_url": "b:k", "tags": ["a.1"], "image_tags": [{"key": "b"}]}, "tags:"),
        (CreateDataImageInput, {"name": "x", "image_url": "b:k", "os_type": "BeOS"}, "os_type: must be one of"),
        (CreateDataImageInput, {"name": "x"}, "image_url: is required"),
        (ImportImageQuickInput, {"name": "x", "image_url": "b:k"}, "os_version: is required for a fast import."),
        (CreateWholeImageInput, {"instance_id": "i"}, "name: 1 to 128 characters"),
        (RegisterImageInput, {"image_url": "no-colon"}, "image_url: must name an object as bucket:key."),
        (GlanceCreateImageInput, {"name": "g", "visibility": "everyone"}, "visibility: must be one of"),
        (GlanceCreateImageInput, {"name": "g", "tags": "a"}, "tags: must be a list of tags"),
        (GlanceCreateImageInput, {"name": "g", "protected": "false"}, "protected: must be true or false"),
    ],
)
def test_refused_values_keep_their_code_and_message(serializer, body, message):
    refused = refusal(serializer, body)
    assert refused.code == "IMG.0001"
    assert refused.message.startswith(message), refused.message


def test_each_kind_of_import_takes_its_own_minimum_disk_range():
    url = {"name": "x", "image_url": "b:k"}
    assert parse(CreateImageInput, {**url, "type": "IsoImage"})["min_disk"] == 1
    assert parse(CreateDataImageInput, {**url, "min_disk": 2048})["min_disk"] == 2048
    quick_data = parse(ImportImageQuickInput, {**url, "type": "DataImage", "min_disk": 2000})
    assert quick_data["virtual_env_type"] == VirtualEnvType.DATA_IMAGE and quick_data["min_disk"] == 2000
    assert (
        "min_disk: must be between 1 and 1024."
        in refusal(ImportImageQuickInput, {**url, "os_version": "CentOS 7.9 64bit", "min_disk": 2000}).message
    )


def test_a_body_that_is_not_an_object_is_refused_as_before():
    assert refusal(CreateImageInput, ["not", "an", "object"]).message == "The request body must be a JSON object."
    assert refusal(GlanceCreateImageInput, "text").message == "body: must be a JSON object."


def test_glance_create_takes_its_os_version_under_its_glance_name():
    arguments = parse(GlanceCreateImageInput, {"name": "g", "__os_version": "CentOS 7.9 64bit", "tags": ["a", "a"]})
    assert arguments == {
        "name": "g",
        "disk_format": "vhd",
        "container_format": "bare",
        "tags": ["a", "a"],
        "min_disk": 0,
        "min_ram": 0,
        "protected": False,
        "os_version": "CentOS 7.9 64bit",
        "visibility": "private",
        "os_hidden": False,
        "extra_properties": {},
    }


@pytest.mark.django_db
def test_the_api_schema_shows_typed_bodies_and_the_job_answer():
    schema = yaml.safe_load(Client().get("/api/schema").content)
    create = schema["paths"]["/v2/cloudimages/action"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"name", "image_url", "image_tags", "type"} <= set(schema["components"]["schemas"][body]["properties"])
    assert create["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/JobCreated")
    export = schema["paths"]["/v1/cloudimages/{image_id}/file"]["post"]["requestBody"]
    assert export["content"]["application/json"]["schema"]["$ref"].endswith("/ExportInput")
