from django.urls import path

from kms import views

app_name = "kms"

urlpatterns = [
    path("", views.KeyListView.as_view(), name="key_list"),
    path("keys/<str:key_id>/<str:action>", views.KeyActionView.as_view(), name="key_action"),
]
