from django.urls import path

from iam import views

app_name = "iam"

urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    path("credentials", views.CredentialsView.as_view(), name="credentials"),
    path("password", views.PasswordChangeView.as_view(), name="password_change"),
    path("keys/create", views.AccessKeyCreateView.as_view(), name="access_key_create"),
    path("keys/<str:access_key>/created", views.AccessKeyCreatedView.as_view(), name="access_key_created"),
    path("keys/<str:access_key>/status", views.AccessKeyStatusView.as_view(), name="access_key_status"),
    path("keys/<str:access_key>/delete", views.AccessKeyDeleteView.as_view(), name="access_key_delete"),
]
