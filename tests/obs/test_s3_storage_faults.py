"""In S3 mode a full bucket (quota) or a bucket that refuses writes is told as such: object PUTs answer 507
(IMG.0830) or 503 (IMG.0831), chunk writes fail with the same codes, and reads keep working.

The faults are injected at the storage edge, at the HTTP layer of botocore, against moto's server: a `before-send`
hook answers the write requests (PUT, POST of multipart) with the S3 error response a full or a read-only store
sends (an XML error body and its status), which botocore parses into a real ClientError; every other request,
reads included, reaches moto's server."""

import io

import pytest
from botocore.awsrequest import AWSResponse

from core.errors import ImsError
from images.blobs.objects import PlainCodec, chunk_storage, store_plaintext
from obs import services
from obs.models import StoredObject

OBJECTS = "/v1/obs/buckets/alpha-bucket/objects"
FAULTS = [
    ("QuotaExceeded", 403, 507, "IMG.0830", "full"),
    ("XMinioStorageFull", 507, 507, "IMG.0830", "full"),
    ("AccessDenied", 403, 503, "IMG.0831", "read-only"),
]


class _Raw:
    def __init__(self, body: bytes):
        self.body = io.BytesIO(body)

    def stream(self, **_):
        yield self.body.read()

    def read(self, *args):
        return self.body.read(*args)


@pytest.fixture
def refused_writes(monkeypatch):
    """Makes every S3 write answer with `code`/`status`, as a full or read-only S3 service does."""
    from botocore.endpoint import Endpoint

    real = Endpoint._do_get_response

    def inject(code: str, status: int):
        def answer(self, request, operation_model, context):
            if request.method in ("PUT", "POST") and operation_model.name != "CreateBucket":
                body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
                headers = {"Content-Type": "application/xml", "Content-Length": str(len(body))}
                response = AWSResponse(request.url, status, headers, _Raw(body))
                from botocore.endpoint import convert_to_response_dict

                parsed = self._response_parser_factory.create_parser("rest-xml").parse(
                    convert_to_response_dict(response, operation_model), operation_model.output_shape
                )
                return (response, parsed), None
            return real(self, request, operation_model, context)

        monkeypatch.setattr(Endpoint, "_do_get_response", answer)

    return inject


@pytest.fixture
def s3_bucket(s3_storage, admin_a):
    return services.create_bucket(admin_a, name="alpha-bucket")


@pytest.mark.parametrize(("s3_code", "s3_status", "status", "code", "cause"), FAULTS)
def test_a_put_on_a_refusing_s3_store_names_the_cause(
    s3_bucket, tenant_a, obs_client, refused_writes, s3_code, s3_status, status, code, cause
):
    api = obs_client(tenant_a.admin)
    assert api.put(f"{OBJECTS}/kept", b"stored before").status_code == 201
    refused_writes(s3_code, s3_status)
    response = api.put(f"{OBJECTS}/new", b"x" * 1000)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and cause in error["message"]
    assert list(StoredObject.objects.values_list("key", flat=True)) == ["kept"]
    assert b"".join(api.get(f"{OBJECTS}/kept").streaming_content) == b"stored before"  # reads keep working


@pytest.mark.parametrize(("s3_code", "s3_status", "status", "code", "cause"), FAULTS)
def test_a_chunk_write_on_a_refusing_s3_store_names_the_cause(
    s3_storage, tenant_a, refused_writes, s3_code, s3_status, status, code, cause
):
    storage = chunk_storage(tenant_a.project.region_id)
    refused_writes(s3_code, s3_status)
    with pytest.raises(ImsError) as refused:
        store_plaintext(storage, PlainCodec(), b"a chunk" * 100, "0" * 64)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert cause in refused.value.message
