"""The member API: v1 batch calls (answered with a job) and the Glance member calls (answered at once)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from images.api import outputs
from images.api.inputs import members as inputs
from images.api.inputs.common import JobCreated, job_response, parse
from images.api.representations import member_body, member_page
from images.api.views.images import check_path_project, list_params
from images.services import members

IMS = ["ims"]
GLANCE = ["glance"]


class BatchMembersView(APIView):
    @extend_schema(operation_id="batch_add_members", tags=IMS, request=inputs.BatchMembersBody, responses=JobCreated)
    def post(self, request):
        return job_response(members.batch_add_members(request.auth, **parse(inputs.BatchMembersBody, request.data)))

    @extend_schema(
        operation_id="batch_update_members", tags=IMS, request=inputs.BatchUpdateMembersBody, responses=JobCreated
    )
    def put(self, request):
        answer = parse(inputs.BatchUpdateMembersBody, request.data)
        return job_response(members.batch_update_members(request.auth, **answer))

    @extend_schema(operation_id="batch_delete_members", tags=IMS, request=inputs.BatchMembersBody, responses=JobCreated)
    def delete(self, request):
        body = parse(inputs.BatchMembersBody, request.data)
        return job_response(members.batch_delete_members(request.auth, **body))


class ImageMemberListView(APIView):
    @extend_schema(
        operation_id="list_image_members",
        tags=IMS,
        responses=outputs.MemberList,
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
        return Response(member_page(page, glance=False))


class ImageMemberView(APIView):
    @extend_schema(operation_id="show_image_member", tags=IMS, responses=outputs.Member)
    def get(self, request, project_id, image_id, member_id):
        check_path_project(request, project_id)
        return Response(member_body(members.show_image_member(request.auth, image_id=image_id, member_id=member_id)))


class GlanceMemberListView(APIView):
    @extend_schema(
        operation_id="glance_list_image_members",
        tags=GLANCE,
        responses=outputs.GlanceMemberList,
        parameters=list_params("limit", "marker"),
    )
    def get(self, request, image_id):
        page = members.glance_list_image_members(
            request.auth,
            image_id=image_id,
            limit=request.query_params.get("limit"),
            marker=request.query_params.get("marker"),
        )
        return Response(member_page(page, glance=True))

    @extend_schema(
        operation_id="glance_add_image_member", tags=GLANCE, request=inputs.GlanceMemberBody, responses=outputs.Member
    )
    def post(self, request, image_id):
        body = parse(inputs.GlanceMemberBody, request.data)
        return Response(member_body(members.glance_add_image_member(request.auth, image_id=image_id, **body)))


class GlanceMemberView(APIView):
    @extend_schema(operation_id="glance_show_image_member", tags=GLANCE, responses=outputs.Member)
    def get(self, request, image_id, member_id):
        member = members.glance_show_image_member(request.auth, image_id=image_id, member_id=member_id)
        return Response(member_body(member))

    @extend_schema(
        operation_id="glance_update_image_member",
        tags=GLANCE,
        request=inputs.GlanceMemberStatusBody,
        responses=outputs.Member,
    )
    def put(self, request, image_id, member_id):
        body = parse(inputs.GlanceMemberStatusBody, request.data)
        member = members.glance_update_image_member(request.auth, image_id=image_id, member_id=member_id, **body)
        return Response(member_body(member))

    @extend_schema(operation_id="glance_delete_image_member", tags=GLANCE, responses={204: None})
    def delete(self, request, image_id, member_id):
        members.glance_delete_image_member(request.auth, image_id=image_id, member_id=member_id)
        return Response(status=204)
