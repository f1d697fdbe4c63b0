"""API version documents (`GET /`, `GET /v2`) and the Glance schemas; no credentials needed."""

from django.shortcuts import redirect
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ImsError
from images.api import outputs

# id, status, version number, the path its link points at. As in Glance's version document, every 2.x
# points at /v2/: OpenStack clients pick the newest 2.x and send their Image API calls under its link
# (the IMS-only /v2.1/cloudimages… paths are reached by the IMS SDK directly, never through discovery).
VERSIONS = (
    ("v2.1", "CURRENT", "2.1", "v2"),
    ("v2", "SUPPORTED", "2.0", "v2"),
    ("v1", "SUPPORTED", "1.0", "v1"),
)


def versions_document(request, only: str | None = None) -> dict:
    base = request.build_absolute_uri("/")
    return {
        "versions": [
            {
                "id": version,
                "status": status,
                "version": number,
                "min_version": "",
                "updated": "2026-11-29T00:00:00Z",
                "links": [{"href": f"{base}{path}/", "rel": "self"}],
            }
            for version, status, number, path in VERSIONS
            if only in (None, version)
        ]
    }


def wants_html(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return "text/html" in accept and "application/json" not in accept


class VersionListView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="list_versions", tags=["versions"], responses=outputs.Versions)
    def get(self, request):
        if wants_html(request):
            return redirect("images:image_list")
        # 300 Multiple Choices, as Glance answers: the client picks a version from the list.
        return Response(versions_document(request), status=300)


class VersionView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="show_version", tags=["versions"], responses=outputs.VersionDocument)
    def get(self, request, version):
        if version not in {v for v, *_ in VERSIONS}:
            raise ImsError("IMG.0404", "Unknown API version.", 404)
        document = versions_document(request, only=version)
        return Response({"version": document["versions"][0], **document})


IMAGE_SCHEMA_PROPERTIES = {
    name: {"type": kind}
    for name, kind in (
        ("id", "string"),
        # Glance's name is optional: an image created without one shows null.
        ("name", ["null", "string"]),
        ("status", "string"),
        ("visibility", "string"),
        ("protected", "boolean"),
        ("checksum", "string"),
        ("owner", "string"),
        ("size", "integer"),
        ("virtual_size", "integer"),
        ("min_ram", "integer"),
        ("min_disk", "integer"),
        ("disk_format", "string"),
        ("container_format", "string"),
        ("created_at", "string"),
        ("updated_at", "string"),
        ("tags", "array"),
        ("self", "string"),
        ("file", "string"),
        ("schema", "string"),
        ("os_hash_algo", "string"),
        ("os_hash_value", "string"),
        ("os_hidden", "boolean"),
        # The create answer's (always empty) `properties` object of the IMS API.
        ("properties", "object"),
    )
}
MEMBER_SCHEMA_PROPERTIES = {
    name: {"type": "string"} for name in ("image_id", "member_id", "status", "created_at", "updated_at", "schema")
}


class SchemaView(APIView):
    authentication_classes = []
    permission_classes = []
    documents = {
        "image": {
            "name": "image",
            "properties": IMAGE_SCHEMA_PROPERTIES,
            "additionalProperties": {"type": "string"},
            "links": [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"}],
        },
        "images": {
            "name": "images",
            "properties": {
                "images": {"type": "array", "items": {"name": "image", "properties": IMAGE_SCHEMA_PROPERTIES}},
                "schema": {"type": "string"},
                "first": {"type": "string"},
                "next": {"type": "string"},
            },
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"}],
        },
        "member": {"name": "member", "properties": MEMBER_SCHEMA_PROPERTIES},
        "members": {
            "name": "members",
            "properties": {
                "members": {"type": "array", "items": {"name": "member", "properties": MEMBER_SCHEMA_PROPERTIES}},
                "schema": {"type": "string"},
            },
            "links": [{"rel": "schema", "href": "{schema}"}],
        },
    }

    @extend_schema(operation_id="glance_show_schema", tags=["glance"], responses=outputs.GlanceSchema)
    def get(self, request, name):
        if name not in self.documents:
            raise ImsError("IMG.0404", "Unknown schema.", 404)
        return Response(self.documents[name])
