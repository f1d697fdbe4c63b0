"""Glance's interoperable image import (glance-direct): the methods and stores offered, staging a file, importing
it."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from images.api.inputs.common import parse
from images.api.inputs.glance_import import GlanceImportInput
from images.api.views.imports import GLANCE, OctetStreamParser, body_stream
from images.jobs.imports import run_glance_import_now
from images.services import glance_import


class ImportInfoView(APIView):
    """A static document: the same for every caller, as the schemas are."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="glance_show_import_info", tags=GLANCE, responses={200: dict})
    def get(self, request):
        return Response(glance_import.import_info())


class StoresInfoView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="glance_show_stores_info", tags=GLANCE, responses={200: dict})
    def get(self, request):
        return Response(glance_import.stores_info())


class StageView(APIView):
    parser_classes = [OctetStreamParser]

    @extend_schema(
        operation_id="glance_stage_image_data",
        tags=GLANCE,
        request={"application/octet-stream": bytes},
        responses={204: None},
    )
    def put(self, request, image_id):
        stream, length = body_stream(request)
        glance_import.glance_stage_image_data(request.auth, image_id=image_id, stream=stream, content_length=length)
        return Response(status=204)


class ImportView(APIView):
    @extend_schema(operation_id="glance_import_image", tags=GLANCE, request=GlanceImportInput, responses={202: None})
    def post(self, request, image_id):
        arguments = parse(GlanceImportInput, request.data)
        job = glance_import.glance_import_image(request.auth, image_id=image_id, **arguments)
        # Glance answers 202 and imports behind it; here the import is done when the answer leaves, and how it
        # ended shows on the image as in Glance: active, or queued again with os_glance_failed_import.
        run_glance_import_now(job)
        return Response(status=202)
