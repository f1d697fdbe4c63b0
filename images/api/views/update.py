"""Modifying, tagging and deleting images through the API: thin views over images.services.update/tags/delete."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ImsError, invalid
from images.api.representations import glance_image, image_info
from images.api.views.images import GlanceImageView, check_path_project
from images.services import delete, tags, update

IMS = ["ims"]
GLANCE = ["glance"]
PATCH_V21 = "application/openstack-images-v2.1-json-patch"
PATCH_V20 = "application/openstack-images-v2.0-json-patch"


class GlancePatchV21Parser(JSONParser):
    media_type = PATCH_V21


class GlancePatchV20Parser(JSONParser):
    media_type = PATCH_V20


def json_object(request) -> dict:
    if not isinstance(request.data, dict):
        raise ImsError("IMG.0001", _("The request body must be a JSON object."))
    return request.data


def empty() -> Response:
    return Response(status=204)


class CloudImageView(APIView):
    @extend_schema(operation_id="update_image", tags=IMS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request, image_id):
        image = update.update_image(request.auth, image_id=image_id, changes=update.parse_patch(request.data))
        return Response(image_info(image, request.auth.project))


class GlanceImageItemView(GlanceImageView):
    """GET (inherited), PATCH and DELETE of `/v2/images/{image_id}`."""

    parser_classes = [JSONParser, GlancePatchV21Parser, GlancePatchV20Parser]

    @extend_schema(
        operation_id="glance_update_image",
        tags=GLANCE,
        request={PATCH_V21: OpenApiTypes.OBJECT},
        responses=OpenApiTypes.OBJECT,
    )
    def patch(self, request, image_id):
        style = "2.0" if request.content_type.startswith(PATCH_V20) else "2.1"
        image = update.glance_update_image(
            request.auth, image_id=image_id, changes=update.parse_patch(request.data, style=style)
        )
        return Response(glance_image(image, request.auth.project))

    @extend_schema(operation_id="glance_delete_image", tags=GLANCE, request=OpenApiTypes.OBJECT, responses={204: None})
    def delete(self, request, image_id):
        body = request.data or {}
        backup = body.get("delete_backup", False) if isinstance(body, dict) else None
        if not isinstance(backup, bool):
            raise invalid("delete_backup", _("must be true or false."))
        delete.glance_delete_image(request.auth, image_id=image_id, delete_backup=backup)
        return empty()


class LegacyTagsView(APIView):
    @extend_schema(operation_id="create_or_update_tags", tags=IMS, request=OpenApiTypes.OBJECT, responses={204: None})
    def put(self, request):
        body = json_object(request)
        if body.get("image_tag") is not None:
            pairs = tags.tag_pairs([body["image_tag"]], "image_tag")
        else:
            pairs = tags.legacy_tag(body.get("tag"))
        if not body.get("image_id"):
            raise invalid("image_id", _("is required."))
        tags.create_or_update_tags(request.auth, image_id=body["image_id"], tags=pairs)
        return empty()

    @extend_schema(operation_id="list_tags", tags=IMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"tags": tags.list_tags(request.auth, query=request.query_params)})


class LegacyBatchDeleteTagsView(APIView):
    @extend_schema(operation_id="batch_delete_tags", tags=IMS, request=OpenApiTypes.OBJECT, responses={204: None})
    def delete(self, request, project_id, image_id):
        check_path_project(request, project_id)
        pairs = tags.tag_pairs(json_object(request).get("tags"))
        tags.batch_delete_tags(request.auth, image_id=image_id, tags=pairs)
        return empty()


class ImageTagsView(APIView):
    @extend_schema(operation_id="add_image_tag", tags=IMS, request=OpenApiTypes.OBJECT, responses={204: None})
    def post(self, request, project_id, image_id):
        check_path_project(request, project_id)
        pairs = tags.tag_pairs([json_object(request).get("tag")], "tag")
        tags.add_image_tag(request.auth, image_id=image_id, tags=pairs)
        return empty()

    @extend_schema(operation_id="list_image_tags", tags=IMS, responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id, image_id):
        check_path_project(request, project_id)
        return Response({"tags": tags.list_image_tags(request.auth, image_id=image_id)})


class ImageTagsActionView(APIView):
    @extend_schema(
        operation_id="batch_add_or_delete_tags", tags=IMS, request=OpenApiTypes.OBJECT, responses={204: None}
    )
    def post(self, request, project_id, image_id):
        check_path_project(request, project_id)
        body = json_object(request)
        pairs = tags.tag_pairs(body.get("tags") or [])
        tags.batch_add_or_delete_tags(request.auth, image_id=image_id, action=body.get("action"), tags=pairs)
        return empty()


class ImageTagKeyView(APIView):
    @extend_schema(operation_id="delete_image_tag", tags=IMS, responses={204: None})
    def delete(self, request, project_id, image_id, key):
        check_path_project(request, project_id)
        tags.delete_image_tag(request.auth, image_id=image_id, key=key)
        return empty()


class ProjectTagsView(APIView):
    @extend_schema(operation_id="list_images_tags", tags=IMS, responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        check_path_project(request, project_id)
        return Response({"tags": tags.list_images_tags(request.auth)})


class ImagesByTagsView(APIView):
    @extend_schema(
        operation_id="list_image_by_tags", tags=IMS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def post(self, request, project_id):
        check_path_project(request, project_id)
        return Response(tags.list_image_by_tags(request.auth, body=json_object(request)))


class GlanceTagView(APIView):
    @extend_schema(operation_id="glance_create_tag", tags=GLANCE, request=None, responses={204: None})
    def put(self, request, image_id, tag):
        tags.glance_create_tag(request.auth, image_id=image_id, tag=tag)
        return empty()

    @extend_schema(operation_id="glance_delete_tag", tags=GLANCE, responses={204: None})
    def delete(self, request, image_id, tag):
        tags.glance_delete_tag(request.auth, image_id=image_id, tag=tag)
        return empty()
