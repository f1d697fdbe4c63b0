from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.TraceListView.as_view(), name="trace_list"),
    path("export.csv", views.TraceExportView.as_view(), name="trace_export"),
    path("<int:trace_id>", views.TraceDetailView.as_view(), name="trace_detail"),
    path("images/<uuid:image_id>/activity", views.ImageActivityView.as_view(), name="image_activity"),
]
