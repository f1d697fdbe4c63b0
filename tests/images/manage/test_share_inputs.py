"""The member API's bodies parsed by their input serializers: each refusal keeps its code and message."""

import pytest
import yaml
from django.test import Client

from core.errors import ImsError
from images.api.inputs import members as inputs
from images.api.inputs.common import parse


def refusal(serializer, body) -> tuple[str, str]:
    with pytest.raises(ImsError) as caught:
        parse(serializer, body)
    return caught.value.code, caught.value.message


def test_batch_bodies_become_lists_of_ids_without_repeats():
    body = {"images": ["i1", "i2", "i1"], "projects": ["p1"], "domains": [], "organizations": None}
    assert parse(inputs.BatchMembersBody, body) == {"images": ["i1", "i2"], "projects": ["p1"]}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"images": [], "projects": ["p"]}, "images must be a non-empty list of ids."),
        ({"projects": ["p"]}, "images must be a non-empty list of ids."),
        ({"images": ["i"], "projects": None}, "projects must be a non-empty list of ids."),
        ({"images": ["i"], "projects": ["p", ""]}, "projects must be a non-empty list of ids."),
        ({"images": "i", "projects": ["p"]}, "images must be a non-empty list of ids."),
        ({"images": [f"i{n}" for n in range(101)], "projects": ["p"]}, "images holds at most 100 ids."),
        (
            {"images": [], "projects": ["p"], "domains": ["d"]},
            "Only projects can be members here: domains and organizations are not supported.",
        ),
        (
            {"images": ["i"], "projects": ["p"], "organizations": ["o"]},
            "Only projects can be members here: domains and organizations are not supported.",
        ),
    ],
)
def test_batch_bodies_refused(body, message):
    assert refusal(inputs.BatchMembersBody, body) == ("IMG.0001", message)


def test_a_members_answer_is_accepted_or_rejected_and_the_vault_is_not_used():
    body = {"images": ["i"], "status": "accepted", "project_id": "p", "vault_id": "v"}
    assert parse(inputs.BatchUpdateMembersBody, body) == {"images": ["i"], "status": "accepted", "project_id": "p"}
    assert refusal(inputs.BatchUpdateMembersBody, {"images": ["i"], "status": "maybe"}) == (
        "IMG.0001",
        "status must be accepted or rejected.",
    )
    assert refusal(inputs.GlanceMemberStatusBody, {"status": "pending"})[1] == "status must be accepted or rejected."
    assert parse(inputs.GlanceMemberStatusBody, {"status": "rejected"}) == {"status": "rejected"}


def test_glance_add_names_the_member_and_bodies_must_be_objects():
    assert parse(inputs.GlanceMemberBody, {"member": "p"}) == {"member_id": "p"}
    assert refusal(inputs.BatchMembersBody, ["i"]) == ("IMG.0001", "The request body must be a JSON object.")


def test_the_api_schema_shows_typed_member_bodies_and_answers():
    schema = yaml.safe_load(Client().get("/api/schema").content)
    components = schema["components"]["schemas"]

    def ref(content) -> str:
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    batch = schema["paths"]["/v1/cloudimages/members"]
    add = components[ref(batch["post"]["requestBody"]["content"])]
    assert add["properties"]["images"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "The ids of the caller's own images.",
        "maxItems": 100,
        "minItems": 1,
    }
    assert add["required"] == ["images", "projects"]
    assert ref(batch["put"]["responses"]["200"]["content"]) == "JobCreated"
    glance = schema["paths"]["/v2/images/{image_id}/members"]
    assert set(components[ref(glance["get"]["responses"]["200"]["content"])]["properties"]) == {
        "members",
        "schema",
        "page_info",
    }
    member = components[ref(glance["post"]["responses"]["200"]["content"])]
    assert set(member["properties"]) == {
        "status",
        "created_at",
        "updated_at",
        "image_id",
        "member_id",
        "schema",
        "member_type",
    }
