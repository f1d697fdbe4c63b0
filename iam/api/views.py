"""Identity endpoints an SDK or OpenStack client needs: version, token issue, projects, roles and role assignments,
in Keystone v3's shapes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.recorder import record_login
from iam.api import serializers as s
from iam.models import Project
from iam.roles import ROLES, role_assignments, role_id, role_named
from iam.tokens import KeystoneNotFound, KeystoneUnauthorized, claimed_username, password_login, token_body

UNAUTHORIZED = {401: s.KeystoneErrorSerializer}
NOT_FOUND = {401: s.KeystoneErrorSerializer, 404: s.KeystoneErrorSerializer}


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


def _list_links(request) -> dict:
    return {"self": request.build_absolute_uri(), "previous": None, "next": None}


class IdentityVersionView(APIView):
    """`GET /v3`: Keystone's version document, which OpenStack clients read before asking for a token."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="keystone_show_version", tags=["identity"], responses=s.KeystoneVersionDocumentSerializer
    )
    def get(self, request):
        return Response({"version": identity_version(request)})


class TokenView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="keystone_create_token",
        tags=["identity"],
        request=s.KeystoneTokenRequestSerializer,
        responses={201: s.KeystoneTokenResponseSerializer, **UNAUTHORIZED},
    )
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


def project_body(request, project: Project) -> dict:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.account_id,
        "enabled": True,
        "is_domain": False,
        "parent_id": project.account_id,
        "description": project.description,
        "tags": [],
        "links": {"self": f"{endpoint_of(request)}/v3/projects/{project.id}"},
    }


def _own_projects(actor):
    return Project.objects.filter(account=actor.account).select_related("region")


class ProjectListView(APIView):
    """`GET /v3/projects?name=REGION`: the SDK looks up the caller's project id of a region this way; OpenStack
    clients list the account's projects (its default project of every region and its sub-projects)."""

    @extend_schema(
        operation_id="keystone_list_projects",
        tags=["identity"],
        parameters=[
            OpenApiParameter("name", str, description="Only the project of this name."),
            OpenApiParameter("domain_id", str, description="Only projects of this account (domain)."),
        ],
        responses={200: s.KeystoneProjectListSerializer, **UNAUTHORIZED},
    )
    def get(self, request):
        projects = _own_projects(request.auth)
        if "name" in request.query_params:
            projects = projects.filter(name=request.query_params["name"])
        if "domain_id" in request.query_params:
            projects = projects.filter(account_id=request.query_params["domain_id"])
        return Response({"projects": [project_body(request, p) for p in projects], "links": _list_links(request)})


class ProjectDetailView(APIView):
    @extend_schema(
        operation_id="keystone_show_project",
        tags=["identity"],
        responses={200: s.KeystoneProjectDocumentSerializer, **NOT_FOUND},
    )
    def get(self, request, project_id: str):
        project = _own_projects(request.auth).filter(pk=project_id).first()
        if project is None:
            raise KeystoneNotFound("project", project_id)
        return Response({"project": project_body(request, project)})


class OwnProjectListView(APIView):
    """`GET /v3/auth/projects` and `GET /v3/users/{user_id}/projects`: the projects of the account in which the
    caller holds a Keystone role (what `openstack project list --my-projects` and Horizon's project picker ask)."""

    @extend_schema(
        operation_id="keystone_list_own_projects",
        tags=["identity"],
        responses={200: s.KeystoneProjectListSerializer, **NOT_FOUND},
    )
    def get(self, request):
        actor = request.auth
        held = {assignment.project.pk for assignment in role_assignments(actor, user_id=str(actor.user.pk))}
        projects = [project_body(request, p) for p in _own_projects(actor) if p.pk in held]
        return Response({"projects": projects, "links": _list_links(request)})


class UserProjectListView(OwnProjectListView):
    @extend_schema(
        operation_id="keystone_list_user_projects",
        tags=["identity"],
        responses={200: s.KeystoneProjectListSerializer, **NOT_FOUND},
    )
    def get(self, request, user_id: str):
        if user_id != str(request.auth.user.pk):
            raise KeystoneNotFound("user", user_id)  # another user's projects are theirs to list
        return super().get(request)


def role_body(request, role) -> dict:
    return {
        "id": role_id(role.name),
        "name": role.name,
        "domain_id": None,
        "description": role.description,
        "options": {},
        "links": {"self": f"{endpoint_of(request)}/v3/roles/{role_id(role.name)}"},
    }


class RoleListView(APIView):
    """`GET /v3/roles`: Keystone's three roles and what each means here (`iam.roles`)."""

    @extend_schema(
        operation_id="keystone_list_roles",
        tags=["identity"],
        parameters=[OpenApiParameter("name", str, description="Only the role of this name.")],
        responses={200: s.KeystoneRoleListSerializer, **UNAUTHORIZED},
    )
    def get(self, request):
        name = request.query_params.get("name")
        roles = [role_body(request, role) for role in ROLES if name is None or role.name == name]
        return Response({"roles": roles, "links": _list_links(request)})


class RoleDetailView(APIView):
    @extend_schema(
        operation_id="keystone_show_role",
        tags=["identity"],
        responses={200: s.KeystoneRoleDocumentSerializer, **NOT_FOUND},
    )
    def get(self, request, role_id: str):
        role = role_named(role_id)
        if role is None:
            raise KeystoneNotFound("role", role_id)
        return Response({"role": role_body(request, role)})


def _named(obj_id: str, name: str, account) -> dict:
    return {"id": obj_id, "name": name, "domain": {"id": account.id, "name": account.name}}


def assignment_body(request, assignment) -> dict:
    user, project, role = assignment.user, assignment.project, assignment.role
    base = endpoint_of(request)
    return {
        "role": {"id": role_id(role.name), "name": role.name},
        "scope": {"project": _named(project.id, project.name, project.account)},
        "user": _named(str(user.pk), user.username, project.account),
        "links": {"assignment": f"{base}/v3/projects/{project.id}/users/{user.pk}/roles/{role_id(role.name)}"},
    }


class RoleAssignmentListView(APIView):
    """`GET /v3/role_assignments`: who holds which Keystone role in which project of the caller's account, always
    as effective assignments (the roles follow from the policies granted, `iam.roles`)."""

    @extend_schema(
        operation_id="keystone_list_role_assignments",
        tags=["identity"],
        parameters=[
            OpenApiParameter("user.id", str, description="Only this user's assignments."),
            OpenApiParameter("scope.project.id", str, description="Only assignments in this project."),
            OpenApiParameter("role.id", str, description="Only this role (reader, member or admin)."),
            OpenApiParameter("effective", bool, description="Accepted; assignments are always effective."),
            OpenApiParameter("include_names", bool, description="Accepted; names are always included."),
        ],
        responses={200: s.KeystoneRoleAssignmentListSerializer, **UNAUTHORIZED},
    )
    def get(self, request):
        params = request.query_params
        assignments = role_assignments(
            request.auth,
            user_id=params.get("user.id"),
            project_id=params.get("scope.project.id"),
            role=params.get("role.id"),
        )
        return Response(
            {
                "role_assignments": [assignment_body(request, a) for a in assignments],
                "links": _list_links(request),
            }
        )
