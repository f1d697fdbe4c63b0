from django.urls import path

from iam.api import views

app_name = "iam-api"

urlpatterns = [
    path("v3", views.IdentityVersionView.as_view(), name="show_identity_version"),
    path("v3/auth/tokens", views.TokenView.as_view(), name="create_token"),
    path("v3/projects", views.ProjectListView.as_view(), name="list_projects"),
]
