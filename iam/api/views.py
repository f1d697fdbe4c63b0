"""Identity endpoints an SDK or OpenStack client needs: token issue and project look-up."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.recorder import record_login
from iam.models import Project
from iam.tokens import KeystoneUnauthorized, claimed_username, password_login, token_body


def endpoint_of(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def identity_version(request) -> dict:
    return {
        "id": "v3.0",
        "status": "stable",
        "updated": "2026-11-29T00:00:00Z",
        "links": [{"rel": "self", "href": f"{endpoint_of(request)}/v3/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    }


class IdentityVersionView(APIView):
    """`GET /v3`: Keystone's version document, which OpenStack clients read before asking for a token."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="keystone_show_version", tags=["identity"], responses=dict)
    def get(self, request):
        return Response({"version": identity_version(request)})


class TokenView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="keystone_create_token", tags=["identity"], request=dict, responses=dict)
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        try:
            token, row = password_login(body, request=request._request)
        except KeystoneUnauthorized as refusal:
            record_login(request._request, username=claimed_username(body), via="api", error_code=refusal.trace_code)
            raise
        record_login(request._request, username=row.user.username, via="api", user=row.user, project=row.project)
        response = Response(token_body(row, endpoint=endpoint_of(request)), status=201)
        response["X-Subject-Token"] = token
        return response


class ProjectListView(APIView):
    """`GET /v3/projects?name=REGION`: the SDK looks up the caller's project id of a region this way."""

    @extend_schema(operation_id="keystone_list_projects", tags=["identity"], responses=dict)
    def get(self, request):
        actor = request.auth
        projects = Project.objects.filter(account=actor.account).select_related("region")
        if "name" in request.query_params:
            projects = projects.filter(name=request.query_params["name"])
        return Response(
            {
                "projects": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "domain_id": p.account_id,
                        "enabled": True,
                        "is_domain": False,
                        "parent_id": p.account_id,
                        "description": "",
                    }
                    for p in projects
                ]
            }
        )
