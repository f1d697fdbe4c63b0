"""The refusals of a full or read-only storage beyond files: a read-only database (SQLite on a read-only folder,
PostgreSQL in a read-only transaction) and S3 errors answered to writes, also when boto3 wraps them."""

import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import ClientError
from django.db import OperationalError

from core.errors import ImsError, s3_write_failure, storage_failure, storage_writes


def client_error(code: str, status: int = 403) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Put")


@pytest.mark.parametrize(
    "message",
    ["attempt to write a readonly database", "cannot execute INSERT in a read-only transaction"],
)
def test_a_read_only_database_is_a_read_only_storage(message):
    refusal = storage_failure(OperationalError(message))
    assert (refusal.code, refusal.status) == ("IMG.0831", 503)


def test_other_database_errors_are_not_storage_refusals():
    assert storage_failure(OperationalError("database is locked")) is None


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (client_error("QuotaExceeded"), "IMG.0830", 507),
        (client_error("SomethingElse", 507), "IMG.0830", 507),
        (client_error("AccessDenied"), "IMG.0831", 503),
    ],
)
def test_s3_write_errors_map_to_their_codes(error, code, status):
    refusal = s3_write_failure(error)
    assert (refusal.code, refusal.status) == (code, status)


def test_an_s3_error_wrapped_by_boto3s_transfer_is_found():
    try:
        try:
            raise client_error("AccessDenied")
        except ClientError as error:
            raise S3UploadFailedError("Failed to upload") from error
    except S3UploadFailedError as wrapped:
        assert s3_write_failure(wrapped).code == "IMG.0831"


def test_storage_writes_passes_other_errors_and_ims_errors_through():
    with pytest.raises(ClientError), storage_writes():
        raise client_error("NoSuchBucket", 404)
    with pytest.raises(ImsError) as kept, storage_writes():
        raise ImsError("IMG.0001", "bad input")
    assert kept.value.code == "IMG.0001"
    with pytest.raises(ImsError) as refused, storage_writes():
        raise client_error("QuotaExceeded")
    assert refused.value.code == "IMG.0830"
