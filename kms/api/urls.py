from django.urls import path

from kms.api import views

app_name = "kms-api"

ROUTES = {
    "create-key": views.create_key,
    "list-keys": views.list_keys,
    "describe-key": views.describe_key,
    "enable-key": views.enable_key,
    "disable-key": views.disable_key,
    "schedule-key-deletion": views.schedule_key_deletion,
    "cancel-key-deletion": views.cancel_key_deletion,
    "create-datakey": views.create_datakey,
    "encrypt-datakey": views.encrypt_datakey,
    "decrypt-datakey": views.decrypt_datakey,
    "create-grant": views.create_grant,
    "list-grants": views.list_grants,
    "revoke-grant": views.revoke_grant,
}

urlpatterns = [
    path(f"v1.0/<str:project_id>/kms/{route}", view.as_view(), name=route.replace("-", "_"))
    for route, view in ROUTES.items()
]
