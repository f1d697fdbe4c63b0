from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from console import views

handler400 = "console.views.bad_request"
handler404 = "console.views.not_found"
handler500 = "console.views.server_error"

urlpatterns = [
    path("console/", include("console.console_urls")),
    path("console/images/", include("images.urls")),
    path("console/obs/", include("obs.urls")),
    path("console/compute/", include("compute.urls")),
    path("console/account/", include("iam.urls")),
    path("console/audit/", include("audit.urls")),
    path("console/kms/", include("kms.urls")),
    path("admin/", admin.site.urls),
    path("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/setlang", views.set_language, name="set_language"),
    path("", include("iam.api.urls")),
    path("", include("obs.api.urls")),
    path("", include("kms.api.urls")),
    path("", include("images.api.urls")),
    path("", include("compute.api.urls")),
    path("", include("audit.api.urls")),
]
