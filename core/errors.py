"""The one error type services raise: a stable code, a message in the user's language, an HTTP status."""

import errno
from contextlib import contextmanager

from core.context import current_request_id


class ImsError(Exception):
    """A refusal the user can act on: a stable code, a message in the user's language, an HTTP status."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class GatewayError(ImsError):
    """An authentication failure, answered as the cloud's API gateway does (the SDK reads this shape)."""

    status = 401

    def body(self) -> dict:
        return {"error_code": self.code, "error_msg": self.message, "request_id": current_request_id()}


def invalid(field: str, message: str) -> ImsError:
    """IMG.0001 naming the field: the one shape of a refused input value."""
    return ImsError("IMG.0001", f"{field}: {message}")


def describe_validation(detail) -> str:
    """Flatten DRF's nested error detail into one readable sentence naming the fields."""
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {describe_validation(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(describe_validation(item) for item in detail)
    return str(detail)


# A storage that cannot take more bytes, or that refuses writes: each its own code, the cause named, and an HTTP
# status a client can act on (507 Insufficient Storage, 503 Service Unavailable) rather than a 500.
STORAGE_FULL = "IMG.0830"
STORAGE_READ_ONLY = "IMG.0831"
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def storage_failure(error: BaseException) -> ImsError | None:
    """The refusal for an OSError of a full or read-only storage; None for any other error."""
    from django.utils.translation import gettext as _

    if isinstance(error, ImsError):
        return None
    if read_only_database(error):
        error = OSError(errno.EROFS, str(error))
    if not isinstance(error, OSError):
        return None
    if error.errno in _FULL:
        message = _("The storage is full: nothing was kept. Please try again once an administrator has freed space.")
        return ImsError(STORAGE_FULL, message, 507)
    if error.errno in _READ_ONLY:
        message = _("The storage is read-only: nothing can be written now (reads still work). Please try again later.")
        return ImsError(STORAGE_READ_ONLY, message, 503)
    return None


def read_only_database(error: BaseException) -> bool:
    """A write refused by a read-only database: SQLite on a read-only folder, PostgreSQL in a read-only transaction
    (a hot standby, default_transaction_read_only)."""
    from django.db import DatabaseError

    if not isinstance(error, DatabaseError):
        return False
    text = str(error).lower()
    return "readonly database" in text or "read-only transaction" in text or "read only transaction" in text


# S3 error codes of a bucket or service that takes no more bytes (quotas included; MinIO, Ceph RGW, OBS) and of
# one that refuses writes (a bucket policy or a read-only credential denying PUT, a frozen account).
_S3_FULL = {"QuotaExceeded", "XMinioStorageFull", "XMinioAdminBucketQuotaExceeded", "InsufficientStorage"}
_S3_FULL |= {"InsufficientStorageSpace", "StorageFull", "ServiceQuotaExceeded"}
_S3_READ_ONLY = {"AccessDenied", "AllAccessDisabled", "AccountProblem", "ReadOnly", "XMinioReadOnly"}


def s3_write_failure(error: BaseException) -> ImsError | None:
    """The refusal for an S3 error (a botocore ClientError, or boto3's transfer error caused by one) answered to a
    WRITE: full or quota exceeded, or access denied; None for any other error. Not for reads: an AccessDenied on a
    read is a configuration fault, not a read-only storage."""
    while error is not None and not isinstance(error, ImsError):
        response = getattr(error, "response", None)
        if isinstance(response, dict) and "Error" in response:
            code = response["Error"].get("Code", "")
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _S3_FULL or status == 507:
                return storage_failure(OSError(errno.ENOSPC, code))
            if code in _S3_READ_ONLY:
                return storage_failure(OSError(errno.EROFS, code))
            return None
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def storage_writes():
    """Around a write to a storage (a folder or S3): a full or read-only storage becomes its ImsError; other
    errors pass."""
    try:
        yield
    except ImsError:
        raise
    except Exception as error:
        refusal = storage_failure(error) or s3_write_failure(error)
        if refusal is None:
            raise
        raise refusal from error
