"""Copying and exporting images through the official IMS paths: each view parses the body, finds the caller's
own image and calls one service, answering `{"job_id": …}`."""

from rest_framework.views import APIView

from images.api.views.imports import body_of, job_response, job_view_class
from images.services import copy, export


class ImageJobView(APIView):
    """POST of one JSON body about one of the caller's own images, to one service answering with a job."""

    service = None

    def post(self, request, image_id):
        return job_response(type(self).service(request.auth, image_id=image_id, body=body_of(request)))


def image_job_view(name: str, service, doc: str):
    return job_view_class(ImageJobView, name, service, doc)


CopyInRegionView = image_job_view(
    "copy_image_in_region", copy.copy_image_in_region, "Copy a private image within its region (name, description)."
)
CopyInRegionSafeView = image_job_view(
    "copy_image_in_region_in_safe_mode", copy.copy_image_in_region_in_safe_mode, "Safe-mode twin."
)
CopyCrossRegionView = image_job_view(
    "copy_image_cross_region",
    copy.copy_image_cross_region,
    "Copy a private image to the account's project in another region (name, region, agency_name: any non-empty "
    "name, project_name: the destination region id).",
)
ExportView = image_job_view(
    "export_image",
    export.export_image,
    "Export an image into a bucket of its region (bucket_url, file_format or is_quick_export).",
)
ExportSafeView = image_job_view("export_image_in_safe_mode", export.export_image_in_safe_mode, "Safe-mode twin.")
