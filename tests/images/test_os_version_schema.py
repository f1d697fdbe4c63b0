"""GET /v1/cloudimages/os_version answers a JSON array, and the OpenAPI schema says so (schema fuzzing found the
schema describing an object)."""

import yaml
from django.test import Client


def test_the_schema_of_the_os_version_list_is_an_array_and_the_answer_is_one(api_a):
    schema = yaml.safe_load(Client().get("/api/schema").content)
    answer = schema["paths"]["/v1/cloudimages/os_version"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["type"] == "array"
    assert answer["schema"]["items"]["$ref"].endswith("/OsVersionGroup")
    body = api_a.get("/v1/cloudimages/os_version").json()
    assert isinstance(body, list) and body and {"platform", "version_list"} <= set(body[0])
