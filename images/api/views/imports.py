"""Creating images through the API: the official IMS paths and Glance's create, upload and download."""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ImsError
from images.api.inputs import imports as inputs
from images.api.inputs.common import JobCreated, job_response, parse
from images.jobs.imports import run_upload_now
from images.services import imports

IMS = ["ims"]
GLANCE = ["glance"]


class JobOperationView(APIView):
    """POST of one body, parsed by `input`, to one service function that answers with a job."""

    service = None
    input = None

    def post(self, request):
        return job_response(type(self).service(request.auth, **parse(self.input, request.data)))


def job_view_class(base, name: str, service, input_class, doc: str):
    """A subclass of `base` calling `service` with what `input_class` parsed, with a `post` of its own:
    extend_schema marks the function it is given, so subclasses sharing the inherited one would all end up with
    the last operation id."""

    def post(self, request, *args, **kwargs):
        return base.post(self, request, *args, **kwargs)

    post = extend_schema(operation_id=name, tags=IMS, request=input_class, responses=JobCreated, description=doc)(post)
    attributes = {"service": staticmethod(service), "input": input_class, "post": post}
    return type(f"{name.title().replace('_', '')}View", (base,), attributes)


def job_view(name: str, service, input_class, path_doc: str):
    return job_view_class(JobOperationView, name, service, input_class, path_doc)


CreateImageView = job_view(
    "create_image", imports.create_image, inputs.CreateImageInput, "Create a private image (image_url: bucket:key)."
)
CreateImageSafeView = job_view(
    "create_image_in_safe_mode", imports.create_image_in_safe_mode, inputs.CreateImageInput, "Safe-mode twin."
)
CreateDataImageView = job_view(
    "create_data_image", imports.create_data_image, inputs.CreateDataImageInput, "Create a data disk image."
)
CreateWholeImageView = job_view(
    "create_whole_image",
    imports.create_whole_image,
    inputs.CreateWholeImageInput,
    "Create a whole-machine image of a server or a CBR backup.",
)
CreateDataImageSafeView = job_view(
    "create_data_image_in_safe_mode",
    imports.create_data_image_in_safe_mode,
    inputs.CreateDataImageInput,
    "Safe-mode twin.",
)
ImportQuickView = job_view(
    "import_image_quick", imports.import_image_quick, inputs.ImportImageQuickInput, "Fast import of a RAW file."
)
ImportQuickSafeView = job_view(
    "import_image_quick_in_safe_mode",
    imports.import_image_quick_in_safe_mode,
    inputs.ImportImageQuickInput,
    "Safe-mode twin.",
)


class RegisterImageView(APIView):
    @extend_schema(operation_id="register_image", tags=IMS, request=inputs.RegisterImageInput, responses=JobCreated)
    def put(self, request, image_id):
        arguments = parse(inputs.RegisterImageInput, request.data)
        return job_response(imports.register_image(request.auth, image_id=image_id, **arguments))


class OctetStreamParser(BaseParser):
    """Declares the upload's media type; the view reads the stream itself, piece by piece."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


def body_stream(request) -> tuple[object, int | None]:
    """The request's body as a stream read piece by piece, and its declared length (None: chunked)."""
    raw = request._request
    # Django reads nothing of a chunked body (no Content-Length); the WSGI server has already de-chunked it.
    chunked = "chunked" in raw.headers.get("Transfer-Encoding", "").lower()
    stream = raw.META["wsgi.input"] if chunked else raw
    try:
        return stream, None if chunked else int(raw.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ImsError("IMG.0001", _("Content-Length must be a whole number.")) from None


class GlanceImageFileView(APIView):
    parser_classes = [OctetStreamParser]

    @extend_schema(
        operation_id="glance_upload_image_file",
        tags=GLANCE,
        request={"application/octet-stream": bytes},
        responses={204: None},
    )
    def put(self, request, image_id):
        stream, length = body_stream(request)
        job = imports.glance_upload_image_file(
            request.auth, image_id=image_id, stream=stream, content_length=length, synchronous=True
        )
        run_upload_now(job)  # Glance's contract: the image is active, or refused, when the PUT answers
        return Response(status=204)

    @extend_schema(
        operation_id="glance_download_image_file",
        tags=GLANCE,
        responses={(200, "application/octet-stream"): bytes, 204: None},
    )
    def get(self, request, image_id):
        image, chunks = imports.glance_download_image_file(request.auth, image_id=image_id)
        if chunks is None:
            return Response(status=204)
        response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
        response["Content-Length"] = str(image.size)
        response["Content-MD5"] = image.checksum
        response["X-Image-Meta-Checksum"] = image.checksum
        response["Content-Disposition"] = f'attachment; filename="{image.id}.{image.disk_format}"'
        return response
