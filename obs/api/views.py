"""The object storage API: thin views over obs.services. Bodies of objects and parts are streamed from the
request in pieces (never `request.body` or `request.data`), and downloads are streamed back."""

import base64

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from obs import services
from obs.api.serializers import (
    BucketCreateSerializer,
    BucketListSerializer,
    BucketSerializer,
    ObjectListSerializer,
    ObjectSerializer,
    PartSerializer,
    UploadCompleteSerializer,
    UploadSerializer,
    UploadStartSerializer,
    UploadWithPartsSerializer,
    parsed,
)
from obs.errors import INCOMPLETE_BODY, ObsError, invalid_parameter
from obs.limits import PIECE
from obs.naming import file_name

OBS = ["obs"]
SHA256_HEADER = "X-Content-Sha256"
BINARY = {"application/octet-stream": OpenApiTypes.BINARY}
STREAMED_BODY = [
    OpenApiParameter(
        "Content-Length",
        int,
        OpenApiParameter.HEADER,
        required=True,
        description="Bytes of the body; the body is read as it arrives.",
    ),
]
UNSIGNED = (
    "AK/SK callers send `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (the official SDK does for non-JSON "
    "bodies): the signature then leaves the body out and nothing has to be buffered."
)


def streamed_body(request):
    """(stream, size) of the request body. Django's request reads from the socket in the pieces asked for."""
    raw, declared = request._request, request.META.get("CONTENT_LENGTH")
    if not declared and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return raw, 0  # no length and no chunks: an empty body
    try:
        size = int(declared or "")
    except ValueError:
        size = -1
    if size < 0:
        raise ObsError(INCOMPLETE_BODY, _("Send the body with a Content-Length header."), 411)
    return raw, size


def object_response(stream, stored) -> FileResponse:
    response = FileResponse(
        stream, as_attachment=True, filename=file_name(stored.key), content_type=stored.content_type
    )
    response.block_size = PIECE
    response["Content-Length"] = str(stored.size)
    # Uploaded bytes served from the console's origin must never run as a page there.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if stored.etag:
        response["ETag"] = f'"{stored.etag}"'
    if stored.md5:
        response["Content-MD5"] = base64.b64encode(bytes.fromhex(stored.md5)).decode()
    if stored.sha256:
        response[SHA256_HEADER] = stored.sha256
    if stored.encrypted:  # as the product's object storage tells a client the object is encrypted at rest
        response["X-Obs-Server-Side-Encryption"] = "kms"
        response["X-Obs-Server-Side-Encryption-Kms-Key-Id"] = stored.cmk_id
    return response


def query_limit(raw) -> int:
    if raw in (None, ""):
        return 1000
    try:
        return int(raw)
    except ValueError:
        raise invalid_parameter(_("limit must be a whole number.")) from None


class BucketListView(APIView):
    @extend_schema(operation_id="list_buckets", tags=OBS, responses=BucketListSerializer)
    def get(self, request):
        return Response({"buckets": BucketSerializer(services.list_buckets(request.auth), many=True).data})

    @extend_schema(
        operation_id="create_bucket", tags=OBS, request=BucketCreateSerializer, responses={201: BucketSerializer}
    )
    def post(self, request):
        data = parsed(BucketCreateSerializer, request.data)
        bucket = services.create_bucket(request.auth, name=data["name"])
        return Response(BucketSerializer(bucket).data, status=201)


class BucketView(APIView):
    @extend_schema(operation_id="delete_bucket", tags=OBS, responses={204: None})
    def delete(self, request, bucket):
        services.delete_bucket(request.auth, name=bucket)
        return Response(status=204)


class ObjectListView(APIView):
    @extend_schema(
        operation_id="list_objects",
        tags=OBS,
        responses=ObjectListSerializer,
        parameters=[
            OpenApiParameter("prefix", str, required=False),
            OpenApiParameter("marker", str, required=False, description="List the keys after it."),
            OpenApiParameter("limit", int, required=False, description="1 to 1000 (default)"),
        ],
    )
    def get(self, request, bucket):
        query = request.query_params
        page = services.list_objects(
            request.auth,
            bucket=bucket,
            prefix=query.get("prefix", ""),
            marker=query.get("marker", ""),
            limit=query_limit(query.get("limit")),
        )
        return Response(
            {
                "bucket": page.bucket.name,
                "prefix": query.get("prefix", ""),
                "objects": ObjectSerializer(page.items, many=True).data,
                "next_marker": page.next_marker,
            }
        )


class ObjectView(APIView):
    @extend_schema(
        operation_id="open_object",
        tags=OBS,
        description="The object's bytes, streamed.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, bucket, key):
        stream, stored = services.open_object(request.auth, bucket=bucket, key=key)
        return object_response(stream, stored)

    @extend_schema(
        operation_id="put_object",
        tags=OBS,
        request=BINARY,
        responses={201: ObjectSerializer},
        description="Store the body as the object (up to 5 GiB; use an upload for more). " + UNSIGNED,
        parameters=[
            *STREAMED_BODY,
            OpenApiParameter(
                SHA256_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="The body's SHA-256: the object is stored only if it matches.",
            ),
        ],
    )
    def put(self, request, bucket, key):
        stream, size = streamed_body(request)
        stored = services.put_object(
            request.auth,
            bucket=bucket,
            key=key,
            stream=stream,
            size=size,
            content_type=request.content_type,
            sha256=request.headers.get(SHA256_HEADER),
        )
        return Response(ObjectSerializer(stored).data, status=201)

    @extend_schema(operation_id="delete_object", tags=OBS, responses={204: None})
    def delete(self, request, bucket, key):
        services.delete_object(request.auth, bucket=bucket, key=key)
        return Response(status=204)


class UploadListView(APIView):
    @extend_schema(
        operation_id="start_upload",
        tags=OBS,
        request=UploadStartSerializer,
        responses={201: UploadSerializer},
        description="Start a multipart upload; send its parts with PUT …/parts/{number}.",
    )
    def post(self, request):
        data = parsed(UploadStartSerializer, request.data)
        upload = services.start_upload(request.auth, **data)
        return Response(UploadSerializer(upload).data, status=201)


class UploadView(APIView):
    @extend_schema(
        operation_id="list_parts",
        tags=OBS,
        responses=UploadWithPartsSerializer,
        description="The upload and the parts already stored: to resume, send the others.",
    )
    def get(self, request, upload_id):
        return Response(UploadWithPartsSerializer(services.list_parts(request.auth, upload_id=upload_id)).data)

    @extend_schema(operation_id="abort_upload", tags=OBS, responses={204: None})
    def delete(self, request, upload_id):
        services.abort_upload(request.auth, upload_id=upload_id)
        return Response(status=204)


class UploadPartView(APIView):
    @extend_schema(
        operation_id="put_part",
        tags=OBS,
        request=BINARY,
        responses=PartSerializer,
        parameters=STREAMED_BODY,
        description="Store one part (again, if sent before). Every part but the last has exactly "
        "part_size bytes. " + UNSIGNED,
    )
    def put(self, request, upload_id, number):
        stream, size = streamed_body(request)
        part = services.put_part(request.auth, upload_id=upload_id, number=number, stream=stream, size=size)
        return Response(PartSerializer(part).data)


class UploadCompleteView(APIView):
    @extend_schema(
        operation_id="complete_upload",
        tags=OBS,
        request=UploadCompleteSerializer,
        responses={
            200: ObjectSerializer,
            400: OpenApiResponse(description="OBS.0005: checksum mismatch; the upload is aborted."),
        },
    )
    def post(self, request, upload_id):
        data = parsed(UploadCompleteSerializer, request.data)
        stored = services.complete_upload(request.auth, upload_id=upload_id, sha256=data["sha256"])
        return Response(ObjectSerializer(stored).data)
