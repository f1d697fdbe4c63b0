"""The read side of the IMS API and the OpenStack Image API: thin views over the selectors."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ImsError
from images import selectors
from images.api import outputs
from images.api.inputs.common import parse
from images.api.inputs.glance import GlanceCreateImageInput, glance_list_query
from images.api.representations import glance_created_image, glance_image, image_info, job_body
from images.services import imports

IMS = ["ims"]
GLANCE = ["glance"]


def check_path_project(request, project_id: str) -> None:
    """Paths that carry a project id must name the caller's project (the SDK fills it from X-Project-Id)."""
    if project_id == "{project_id}":
        raise ImsError("IMG.0001", _("The path carries no project id: give the client a project id."))
    if project_id != request.auth.project.id:
        raise ImsError("IMG.0404", _("The requested resource does not exist."), 404)


def list_params(*names):
    return [OpenApiParameter(name, str, required=False) for name in names]


class CloudImageListView(APIView):
    @extend_schema(
        operation_id="list_images",
        tags=IMS,
        responses=outputs.ImageList,
        parameters=list_params(
            "__imagetype",
            "__os_type",
            "__platform",
            "name",
            "id",
            "status",
            "visibility",
            "architecture",
            "tag",
            "sort_key",
            "sort_dir",
            "marker",
            "limit",
        ),
    )
    def get(self, request):
        actor = request.auth
        page = selectors.list_images(actor, request.query_params, default_limit=500)
        body = {"images": [image_info(image, actor.project) for image in page.items]}
        if page.next_marker:
            body["page_info"] = {"next_marker": page.next_marker}
        return Response(body)


class GlanceImageListView(APIView):
    @extend_schema(
        operation_id="glance_list_images",
        tags=GLANCE,
        responses=outputs.GlanceImageList,
        parameters=list_params(
            "name",
            "status",
            "visibility",
            "member_status",
            "__imagetype",
            "container_format",
            "disk_format",
            "owner",
            "tag",
            "size_min",
            "size_max",
            "os_hidden",
            "sort",
            "sort_key",
            "sort_dir",
            "marker",
            "limit",
        ),
    )
    def get(self, request):
        actor = request.auth
        page = selectors.list_images(actor, glance_list_query(request.query_params), default_limit=25)
        # As Glance does: `first` repeats the query without the marker, `next` adds the next page's marker.
        query = request.query_params.copy()
        query.pop("marker", None)
        body = {
            "images": [glance_image(image, actor.project) for image in page.items],
            "first": f"/v2/images?{query.urlencode()}" if query else "/v2/images",
            "schema": "/v2/schemas/images",
        }
        if page.next_marker:
            query["marker"] = page.next_marker
            body["next"] = f"/v2/images?{query.urlencode()}"
        return Response(body)

    @extend_schema(
        operation_id="glance_create_image_metadata",
        tags=GLANCE,
        request=GlanceCreateImageInput,
        responses={201: outputs.GlanceCreatedImage},
    )
    def post(self, request):
        image = imports.glance_create_image_metadata(request.auth, **parse(GlanceCreateImageInput, request.data))
        return Response(glance_created_image(image, request.auth.project), status=201)


class GlanceImageView(APIView):
    @extend_schema(operation_id="glance_show_image", tags=GLANCE, responses=outputs.GlanceImage)
    def get(self, request, image_id):
        return Response(glance_image(selectors.get_image(request.auth, image_id), request.auth.project))


class OsVersionListView(APIView):
    @extend_schema(
        operation_id="list_os_versions",
        tags=IMS,
        responses=outputs.OsVersionGroup(many=True),
        parameters=list_params("tag"),
        description="A JSON array: the region's OS versions grouped by platform.",
    )
    def get(self, request):
        return Response(selectors.list_os_versions(request.auth, request.query_params.get("tag")))


class QuotaView(APIView):
    @extend_schema(operation_id="show_image_quota", tags=IMS, responses=outputs.Quotas)
    def get(self, request):
        usages = selectors.show_image_quota(request.auth)
        return Response({"quotas": {"resources": [vars(usage) for usage in usages]}})


class JobView(APIView):
    @extend_schema(operation_id="show_job", tags=IMS, responses=outputs.Job)
    def get(self, request, project_id, job_id):
        check_path_project(request, project_id)
        return Response(job_body(selectors.get_job(request.auth, job_id)))


class JobProgressView(APIView):
    @extend_schema(operation_id="show_job_progress", tags=IMS, responses=outputs.Job)
    def get(self, request, job_id):
        return Response(job_body(selectors.get_job(request.auth, job_id)))
