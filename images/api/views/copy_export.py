"""Copying and exporting images through the official IMS paths: each view parses the body, calls one service on
one of the caller's own images (the service finds it) and answers `{"job_id": …}`."""

from rest_framework.views import APIView

from images.api.inputs import copy_export as inputs
from images.api.inputs.common import job_response, parse
from images.api.views.imports import job_view_class
from images.services import copy, export


class ImageJobView(APIView):
    """POST of one body about one of the caller's own images, to one service answering with a job."""

    service = None
    input = None

    def post(self, request, image_id):
        arguments = parse(self.input, request.data)
        return job_response(type(self).service(request.auth, image_id=image_id, **arguments))


def image_job_view(name: str, service, input_class, doc: str):
    return job_view_class(ImageJobView, name, service, input_class, doc)


CopyInRegionView = image_job_view(
    "copy_image_in_region",
    copy.copy_image_in_region,
    inputs.CopyInRegionInput,
    "Copy a private image within its region (name, description).",
)
CopyInRegionSafeView = image_job_view(
    "copy_image_in_region_in_safe_mode",
    copy.copy_image_in_region_in_safe_mode,
    inputs.CopyInRegionInput,
    "Safe-mode twin.",
)
CopyCrossRegionView = image_job_view(
    "copy_image_cross_region",
    copy.copy_image_cross_region,
    inputs.CopyCrossRegionInput,
    "Copy a private image to the account's project in another region (name, region, agency_name: any non-empty "
    "name, project_name: the destination region id).",
)
ExportView = image_job_view(
    "export_image",
    export.export_image,
    inputs.ExportInput,
    "Export an image into a bucket of its region (bucket_url, file_format or is_quick_export).",
)
ExportSafeView = image_job_view(
    "export_image_in_safe_mode", export.export_image_in_safe_mode, inputs.ExportInput, "Safe-mode twin."
)
