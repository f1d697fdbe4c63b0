from django.urls import path

from iam.api import views

app_name = "iam-api"

urlpatterns = [
    path("v3", views.IdentityVersionView.as_view(), name="show_identity_version"),
    path("v3/auth/tokens", views.TokenView.as_view(), name="create_token"),
    path("v3/projects", views.ProjectListView.as_view(), name="list_projects"),
    path("v3/auth/projects", views.OwnProjectListView.as_view(), name="list_own_projects"),
    path("v3/users/<str:user_id>/projects", views.UserProjectListView.as_view(), name="list_user_projects"),
    path("v3/projects/<str:project_id>", views.ProjectDetailView.as_view(), name="show_project"),
    path("v3/roles", views.RoleListView.as_view(), name="list_roles"),
    path("v3/roles/<str:role_id>", views.RoleDetailView.as_view(), name="show_role"),
    path("v3/role_assignments", views.RoleAssignmentListView.as_view(), name="list_role_assignments"),
]
