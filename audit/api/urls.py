from django.urls import path

from audit.api import views

app_name = "audit-api"

urlpatterns = [
    path("v3/traces", views.TraceListView.as_view(), name="list_traces"),
]
