"""Modifying, tagging and deleting images through the API: thin views over images.services.update/tags/delete."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.json_body import StrictJSONParser
from images.api import outputs
from images.api.inputs import tags as tag_inputs
from images.api.inputs import update as update_inputs
from images.api.inputs.common import parse
from images.api.inputs.update import PATCH_V20, PATCH_V21, PatchOperation, PatchOperationV20, parse_patch
from images.api.representations import glance_image, image_info, tagged_resources
from images.api.views.images import GlanceImageView, check_path_project, list_params
from images.services import delete, lifecycle, tags, update
from images.services.tags import TAG_LIST_FILTERS

IMS = ["ims"]
GLANCE = ["glance"]


class GlancePatchV21Parser(StrictJSONParser):
    media_type = PATCH_V21


class GlancePatchV20Parser(StrictJSONParser):
    media_type = PATCH_V20


def empty() -> Response:
    return Response(status=204)


class CloudImageView(APIView):
    @extend_schema(
        operation_id="update_image", tags=IMS, request=PatchOperation(many=True), responses=outputs.ImageInfo
    )
    def patch(self, request, image_id):
        image = update.update_image(request.auth, image_id=image_id, changes=parse_patch(request.data))
        return Response(image_info(image, request.auth.project))


class GlanceImageItemView(GlanceImageView):
    """GET (inherited), PATCH and DELETE of `/v2/images/{image_id}`."""

    parser_classes = [StrictJSONParser, GlancePatchV21Parser, GlancePatchV20Parser]

    @extend_schema(
        operation_id="glance_update_image",
        tags=GLANCE,
        request={PATCH_V21: PatchOperation(many=True), PATCH_V20: PatchOperationV20(many=True)},
        responses=outputs.GlanceImage,
    )
    def patch(self, request, image_id):
        style = "2.0" if request.content_type.startswith(PATCH_V20) else "2.1"
        changes = parse_patch(request.data, style=style)
        image = update.glance_update_image(request.auth, image_id=image_id, changes=changes)
        return Response(glance_image(image, request.auth.project))

    @extend_schema(
        operation_id="glance_delete_image", tags=GLANCE, request=update_inputs.GlanceDeleteBody, responses={204: None}
    )
    def delete(self, request, image_id):
        delete.glance_delete_image(request.auth, image_id=image_id, **update_inputs.delete_options(request.data))
        return empty()


class GlanceDeactivateView(APIView):
    @extend_schema(operation_id="glance_deactivate_image", tags=GLANCE, request=None, responses={204: None})
    def post(self, request, image_id):
        lifecycle.glance_deactivate_image(request.auth, image_id=image_id)
        return empty()


class GlanceReactivateView(APIView):
    @extend_schema(operation_id="glance_reactivate_image", tags=GLANCE, request=None, responses={204: None})
    def post(self, request, image_id):
        lifecycle.glance_reactivate_image(request.auth, image_id=image_id)
        return empty()


class LegacyTagsView(APIView):
    @extend_schema(
        operation_id="create_or_update_tags", tags=IMS, request=tag_inputs.LegacyTagBody, responses={204: None}
    )
    def put(self, request):
        tags.create_or_update_tags(request.auth, **parse(tag_inputs.LegacyTagBody, request.data))
        return empty()

    @extend_schema(
        operation_id="list_tags",
        tags=IMS,
        responses=outputs.TagStrings,
        parameters=list_params(*TAG_LIST_FILTERS, "limit", "page"),
    )
    def get(self, request):
        return Response({"tags": tags.list_tags(request.auth, query=request.query_params)})


class LegacyBatchDeleteTagsView(APIView):
    @extend_schema(operation_id="batch_delete_tags", tags=IMS, request=tag_inputs.TagsBody, responses={204: None})
    def delete(self, request, project_id, image_id):
        check_path_project(request, project_id)
        body = parse(tag_inputs.TagsBody, request.data)
        tags.batch_delete_tags(request.auth, image_id=image_id, **body)
        return empty()


class ImageTagsView(APIView):
    @extend_schema(operation_id="add_image_tag", tags=IMS, request=tag_inputs.AddTagBody, responses={204: None})
    def post(self, request, project_id, image_id):
        check_path_project(request, project_id)
        tags.add_image_tag(request.auth, image_id=image_id, **parse(tag_inputs.AddTagBody, request.data))
        return empty()

    @extend_schema(operation_id="list_image_tags", tags=IMS, responses=outputs.ImageTags)
    def get(self, request, project_id, image_id):
        check_path_project(request, project_id)
        return Response({"tags": tags.list_image_tags(request.auth, image_id=image_id)})


class ImageTagsActionView(APIView):
    @extend_schema(
        operation_id="batch_add_or_delete_tags", tags=IMS, request=tag_inputs.TagActionBody, responses={204: None}
    )
    def post(self, request, project_id, image_id):
        check_path_project(request, project_id)
        body = parse(tag_inputs.TagActionBody, request.data)
        tags.batch_add_or_delete_tags(request.auth, image_id=image_id, **body)
        return empty()


class ImageTagKeyView(APIView):
    @extend_schema(operation_id="delete_image_tag", tags=IMS, responses={204: None})
    def delete(self, request, project_id, image_id, key):
        check_path_project(request, project_id)
        tags.delete_image_tag(request.auth, image_id=image_id, key=key)
        return empty()


class ProjectTagsView(APIView):
    @extend_schema(operation_id="list_images_tags", tags=IMS, responses=outputs.ProjectTags)
    def get(self, request, project_id):
        check_path_project(request, project_id)
        return Response({"tags": tags.list_images_tags(request.auth)})


class ImagesByTagsView(APIView):
    @extend_schema(
        operation_id="list_image_by_tags",
        tags=IMS,
        request=tag_inputs.ListImageByTagsBody,
        responses=outputs.TaggedResources,
    )
    def post(self, request, project_id):
        check_path_project(request, project_id)
        selection = tags.list_image_by_tags(request.auth, **parse(tag_inputs.ListImageByTagsBody, request.data))
        return Response(tagged_resources(selection))


class GlanceTagView(APIView):
    @extend_schema(operation_id="glance_create_tag", tags=GLANCE, request=None, responses={204: None})
    def put(self, request, image_id, tag):
        tags.glance_create_tag(request.auth, image_id=image_id, tag=tag)
        return empty()

    @extend_schema(operation_id="glance_delete_tag", tags=GLANCE, responses={204: None})
    def delete(self, request, image_id, tag):
        tags.glance_delete_tag(request.auth, image_id=image_id, tag=tag)
        return empty()
