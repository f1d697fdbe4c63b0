"""The object storage's refusals: stable OBS.xxxx codes, a message in the user's language, an HTTP status."""

from django.utils.translation import gettext as _

from core.errors import ImsError

INVALID_NAME = "OBS.0001"
BUCKET_EXISTS = "OBS.0002"
BUCKET_NOT_EMPTY = "OBS.0003"
CHECKSUM_MISMATCH = "OBS.0005"
TOO_LARGE = "OBS.0006"
INVALID_PART = "OBS.0007"
INCOMPLETE_BODY = "OBS.0008"
PARTS_MISSING = "OBS.0009"
INVALID_PARAMETER = "OBS.0010"
TOO_MANY_BUCKETS = "OBS.0011"
UPLOAD_STATE = "OBS.0012"
OBJECT_CORRUPTED = "OBS.0013"
NOT_FOUND = "OBS.0404"


class ObsError(ImsError):
    pass


def invalid_name(message) -> ObsError:
    return ObsError(INVALID_NAME, message, 400)


def invalid_parameter(message) -> ObsError:
    return ObsError(INVALID_PARAMETER, message, 400)


def bucket_not_found(name: str) -> ObsError:
    return ObsError(NOT_FOUND, _("Bucket %(name)s does not exist.") % {"name": name}, 404)


def object_not_found(bucket: str, key: str) -> ObsError:
    return ObsError(NOT_FOUND, _("Object %(url)s does not exist.") % {"url": f"{bucket}:{key}"}, 404)


def upload_not_found(upload_id) -> ObsError:
    return ObsError(NOT_FOUND, _("Upload %(id)s does not exist.") % {"id": upload_id}, 404)


def too_large(limit: int) -> ObsError:
    return ObsError(TOO_LARGE, _("The object is larger than the limit of %(limit)d bytes.") % {"limit": limit}, 413)


def incomplete_body(expected: int, received: int) -> ObsError:
    return ObsError(
        INCOMPLETE_BODY,
        _("The body ended after %(received)d of %(expected)d bytes.") % {"received": received, "expected": expected},
        400,
    )


def object_corrupted(url: str) -> ObsError:
    return ObsError(
        OBJECT_CORRUPTED,
        _("The encrypted object %(url)s was altered or is incomplete; it cannot be read.") % {"url": url},
        409,
    )
