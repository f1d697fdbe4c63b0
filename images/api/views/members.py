"""The member API: v1 batch calls (answered with a job) and the Glance member calls (answered at once)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from images.api.views.images import check_path_project, list_params
from images.api.views.imports import body_of, job_response
from images.services import members
from images.services.members import member_body

IMS = ["ims"]
GLANCE = ["glance"]


def _page_body(page, *, glance: bool) -> dict:
    body = {"members": [member_body(member) for member in page.items], "schema": "/v2/schemas/members"}
    if page.next_marker or not glance:
        body["page_info"] = {"next_marker": page.next_marker or "", "current_count": len(page.items)}
    return body


class BatchMembersView(APIView):
    @extend_schema(
        operation_id="batch_add_members", tags=IMS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def post(self, request):
        body = body_of(request)
        job = members.batch_add_members(
            request.auth,
            images=body.get("images"),
            projects=body.get("projects"),
            domains=body.get("domains"),
            organizations=body.get("organizations"),
        )
        return job_response(job)

    @extend_schema(
        operation_id="batch_update_members", tags=IMS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def put(self, request):
        body = body_of(request)
        job = members.batch_update_members(
            request.auth,
            images=body.get("images"),
            status=body.get("status"),
            project_id=body.get("project_id"),
            vault_id=body.get("vault_id"),
        )
        return job_response(job)

    @extend_schema(
        operation_id="batch_delete_members", tags=IMS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def delete(self, request):
        body = body_of(request)
        job = members.batch_delete_members(
            request.auth,
            images=body.get("images"),
            projects=body.get("projects"),
            domains=body.get("domains"),
            organizations=body.get("organizations"),
        )
        return job_response(job)


class ImageMemberListView(APIView):
    @extend_schema(
        operation_id="list_image_members",
        tags=IMS,
        responses=OpenApiTypes.OBJECT,
        parameters=list_params("limit", "marker"),
    )
    def get(self, request, project_id, image_id):
        check_path_project(request, project_id)
        page = members.list_image_members(
            request.auth,
            image_id=image_id,
            limit=request.query_params.get("limit"),
            marker=request.query_params.get("marker"),
        )
        return Response(_page_body(page, glance=False))


class ImageMemberView(APIView):
    @extend_schema(operation_id="show_image_member", tags=IMS, responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id, image_id, member_id):
        check_path_project(request, project_id)
        return Response(member_body(members.show_image_member(request.auth, image_id=image_id, member_id=member_id)))


class GlanceMemberListView(APIView):
    @extend_schema(
        operation_id="glance_list_image_members",
        tags=GLANCE,
        responses=OpenApiTypes.OBJECT,
        parameters=list_params("limit", "marker"),
    )
    def get(self, request, image_id):
        page = members.glance_list_image_members(
            request.auth,
            image_id=image_id,
            limit=request.query_params.get("limit"),
            marker=request.query_params.get("marker"),
        )
        return Response(_page_body(page, glance=True))

    @extend_schema(
        operation_id="glance_add_image_member", tags=GLANCE, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def post(self, request, image_id):
        body = body_of(request)
        member = members.glance_add_image_member(request.auth, image_id=image_id, member_id=body.get("member"))
        return Response(member_body(member))


class GlanceMemberView(APIView):
    @extend_schema(operation_id="glance_show_image_member", tags=GLANCE, responses=OpenApiTypes.OBJECT)
    def get(self, request, image_id, member_id):
        member = members.glance_show_image_member(request.auth, image_id=image_id, member_id=member_id)
        return Response(member_body(member))

    @extend_schema(
        operation_id="glance_update_image_member",
        tags=GLANCE,
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def put(self, request, image_id, member_id):
        body = body_of(request)
        member = members.glance_update_image_member(
            request.auth, image_id=image_id, member_id=member_id, status=body.get("status")
        )
        return Response(member_body(member))

    @extend_schema(operation_id="glance_delete_image_member", tags=GLANCE, responses=OpenApiTypes.OBJECT)
    def delete(self, request, image_id, member_id):
        members.glance_delete_image_member(request.auth, image_id=image_id, member_id=member_id)
        return Response(status=204)
