"""Where object bytes live: the region's "objects" storage, a local folder or an S3 bucket (obs.storage).

Both kinds answer the same calls; services never ask which one they hold. Writes are published only when
complete and verified: a local file is renamed into place, an S3 object appears when its multipart upload
completes. So a dropped connection or a wrong checksum never replaces a good object.

Layout. S3: `<bucket>/<key>` in the region's bucket, so a user can also put objects there with any S3
client; multipart uploads of the console go to `_uploads/<id>` first (bucket names cannot start with "_").
Local: `<bucket>/<h[:2]>/<h>` with h = SHA-256 of the key, so that keys of any length and any nesting
("a" beside "a/b") are plain files; parts are `_uploads/<id>/<number>`.
"""

import base64
import errno
import hashlib
import os
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import storage_failure, storage_writes
from obs.errors import CHECKSUM_MISMATCH, UPLOAD_STATE, ObsError, incomplete_body
from obs.limits import PIECE, default_part_size
from obs.storage import s3_client, storage_for
from obs.streams import Digest, copy_exactly, hash_all

STAGING = "_uploads"


def object_store_for(region_id: str):
    storage = storage_for("objects", region_id)
    if settings.STORAGE_BACKEND == "s3":
        return S3ObjectStore(storage.bucket_name)
    return LocalObjectStore(Path(storage.location))


class LocalObjectStore:
    def __init__(self, root: Path):
        self.root = root

    def object_name(self, bucket: str, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{bucket}/{digest[:2]}/{digest}"

    def local_path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, source, size: int, *, expected_sha256: str = "", content_type: str = "") -> Digest:
        """Stream `size` bytes into `name`, published only if all arrived and match `expected_sha256`."""
        with _StagedFile(self.local_path(name)) as (handle, publish):
            digest = copy_exactly(source, handle, size)
            verify(digest, expected_sha256)
            publish()
        return digest

    def take(self, name: str, path: Path, size: int, *, expected_sha256: str = "", content_type: str = "") -> Digest:
        """Store the file at `path` (which the caller hands over) under `name`: hashed where it lies, then moved
        into place, so its bytes are read once and never written again. Refused (by raising) unless it holds
        exactly `size` bytes matching `expected_sha256`; then the file stays where it was."""
        if (actual := os.path.getsize(path)) != size:
            raise incomplete_body(size, actual)
        with open(path, "rb") as handle:
            digest = copy_exactly(handle, None, size)
        verify(digest, expected_sha256)
        final = self.local_path(name)
        with storage_writes():
            final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o600)  # as the objects written here are
            try:
                os.replace(path, final)
            except OSError as error:
                if error.errno != errno.EXDEV:
                    raise
                with open(path, "rb") as handle:  # another file system: copied after all
                    return self.write(name, handle, size, expected_sha256=digest.sha256)
        return digest

    def open(self, name: str):
        """(stream, size) of a stored object; FileNotFoundError when it is not there."""
        handle = open(self.local_path(name), "rb")  # noqa: SIM115 - the caller closes the stream it is handed
        return handle, os.fstat(handle.fileno()).st_size

    def head(self, name: str) -> dict | None:
        return None  # nothing but this service writes the folder: a missing row is a missing object

    def delete(self, name: str) -> None:
        self.local_path(name).unlink(missing_ok=True)

    def is_empty(self, bucket: str) -> bool:
        folder = self.root / bucket
        return not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))

    def remove_bucket(self, bucket: str) -> None:
        shutil.rmtree(self.root / bucket, ignore_errors=True)

    # Multipart uploads

    def start_upload(self, upload) -> str:
        return ""

    def write_part(self, upload, number: int, source, size: int) -> tuple[Digest, str]:
        """The part's digest and entity tag (S3's, the part's MD5; none for a local part)."""
        with _StagedFile(self._part_path(upload, number)) as (handle, publish):
            # No MD5 here: nothing asks a local part for one, and it would halve the speed of a busy server.
            digest = copy_exactly(source, handle, size, Digest(md5=False))
            publish()
        return digest, ""

    def assemble(self, upload, parts, name: str, *, expected_sha256: str) -> Digest:
        """Concatenate the part files into the object, hashing as they pass; publish only if verified."""
        digest = Digest()
        with _StagedFile(self.local_path(name)) as (handle, publish):
            for part in parts:
                with open(self._part_path(upload, part.number), "rb") as piece_source:
                    copy_exactly(piece_source, handle, part.size, digest)
            verify(digest, expected_sha256)
            publish()
        self.abort(upload)
        return digest

    def abort(self, upload) -> None:
        shutil.rmtree(self.root / STAGING / str(upload.pk), ignore_errors=True)

    def sweep_unnamed_staging(self, live_ids: set[str], cutoff) -> int:
        """Removes the part folders of uploads that are not in progress, untouched since `cutoff`."""
        removed = 0
        with suppress(FileNotFoundError):
            for folder in (self.root / STAGING).iterdir():
                touched = max((entry.stat().st_mtime for entry in folder.iterdir()), default=folder.stat().st_mtime)
                if folder.name not in live_ids and touched < cutoff.timestamp():
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
        return removed

    def _part_path(self, upload, number: int) -> Path:
        return self.root / STAGING / str(upload.pk) / f"{number:05d}"


class _StagedFile:
    """A temporary file beside `final`, renamed onto it by `publish()`, removed if never published."""

    def __init__(self, final: Path):
        self.final = final

    def __enter__(self):
        with storage_writes():
            self.final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.final.parent, prefix=".incoming-")
        self.temporary = Path(temporary)
        self.handle = os.fdopen(descriptor, "wb")
        return self.handle, self._publish

    def _publish(self):
        with storage_writes():
            self.handle.close()
            os.replace(self.temporary, self.final)

    def __exit__(self, exc_type, exc, traceback):
        # Nothing partial is kept; a full or read-only storage is told as such (core.errors.storage_failure).
        with suppress(OSError):
            self.handle.close()
        with suppress(OSError):
            self.temporary.unlink(missing_ok=True)
        refusal = storage_failure(exc) if exc is not None else None
        if refusal is not None:
            raise refusal from exc


class S3ObjectStore:
    def __init__(self, bucket_name: str):
        self.bucket_name = bucket_name
        self.client = s3_client()

    def object_name(self, bucket: str, key: str) -> str:
        return f"{bucket}/{key}"

    def local_path(self, name: str) -> None:
        return None

    def take(self, name: str, path: Path, size: int, *, expected_sha256: str = "", content_type: str = "") -> Digest:
        """Store the file at `path` (sent as any body is; the caller removes it)."""
        with open(path, "rb") as handle:
            return self.write(name, handle, size, expected_sha256=expected_sha256, content_type=content_type)

    def write(self, name: str, source, size: int, *, expected_sha256: str = "", content_type: str = "") -> Digest:
        """Small bodies in one PUT, larger ones as a multipart upload of spooled parts; published only when all
        bytes arrived and matched the expected checksum. A full bucket or a refused write is its own refusal."""
        with storage_writes():
            return self._write(name, source, size, expected_sha256=expected_sha256, content_type=content_type)

    def _write(self, name: str, source, size: int, *, expected_sha256: str, content_type: str) -> Digest:
        content_type = content_type or "application/octet-stream"
        part_size = default_part_size()
        if size <= part_size:
            with tempfile.SpooledTemporaryFile(max_size=PIECE) as spool:
                digest = copy_exactly(source, spool, size)
                verify(digest, expected_sha256)
                spool.seek(0)
                self.client.put_object(
                    Bucket=self.bucket_name,
                    Key=name,
                    Body=spool,
                    ContentLength=size,
                    ContentType=content_type,
                    ContentMD5=_base64(digest.md5),
                )
            return digest
        upload_id = self.client.create_multipart_upload(Bucket=self.bucket_name, Key=name, ContentType=content_type)[
            "UploadId"
        ]
        try:
            digest, parts = Digest(), []
            for number, offset in enumerate(range(0, size, part_size), start=1):
                length = min(part_size, size - offset)
                _part, etag = self._send_part(name, upload_id, number, source, length, whole=digest)
                parts.append({"PartNumber": number, "ETag": f'"{etag}"'})
            verify(digest, expected_sha256)
            self.client.complete_multipart_upload(
                Bucket=self.bucket_name, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket_name, Key=name, UploadId=upload_id)
            raise
        return digest

    def open(self, name: str):
        try:
            answer = self.client.get_object(Bucket=self.bucket_name, Key=name)
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(name) from None
        return answer["Body"], answer["ContentLength"]

    def head(self, name: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket_name, Key=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        etag = answer.get("ETag", "").strip('"')
        return {
            "size": answer["ContentLength"],
            "etag": etag,
            "md5": etag if len(etag) == 32 else "",
            "content_type": answer.get("ContentType") or "application/octet-stream",
        }

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket_name, Key=name)

    def is_empty(self, bucket: str) -> bool:
        listing = self.client.list_objects_v2(Bucket=self.bucket_name, Prefix=f"{bucket}/", MaxKeys=1)
        return listing.get("KeyCount", 0) == 0

    def remove_bucket(self, bucket: str) -> None:
        pass  # S3 has no folders to remove

    # Multipart uploads: S3's own, into a staging key; parts go straight through (S3 wants >= 5 MiB but the last)

    def start_upload(self, upload) -> str:
        with storage_writes():
            return self.client.create_multipart_upload(
                Bucket=self.bucket_name, Key=self._staging_key(upload), ContentType=upload.content_type
            )["UploadId"]

    def write_part(self, upload, number: int, source, size: int) -> tuple[Digest, str]:
        with storage_writes():
            return self._send_part(self._staging_key(upload), upload.s3_upload_id, number, source, size)

    def assemble(self, upload, parts, name: str, *, expected_sha256: str) -> Digest:
        """Complete S3's upload under the staging key, read it back to hash it, then copy it into place."""
        with storage_writes():
            return self._assemble(upload, parts, name, expected_sha256=expected_sha256)

    def _assemble(self, upload, parts, name: str, *, expected_sha256: str) -> Digest:
        staging = self._staging_key(upload)
        self.client.complete_multipart_upload(
            Bucket=self.bucket_name,
            Key=staging,
            UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": [{"PartNumber": part.number, "ETag": f'"{part.etag}"'} for part in parts]},
        )
        try:
            body = self.client.get_object(Bucket=self.bucket_name, Key=staging)["Body"]
            with body:
                digest = hash_all(body)
            verify(digest, expected_sha256)
            # A server-side copy (multipart for large objects): the bytes do not travel through this server.
            self.client.copy(
                {"Bucket": self.bucket_name, "Key": staging},
                self.bucket_name,
                name,
                ExtraArgs={"ContentType": upload.content_type, "MetadataDirective": "REPLACE"},
            )
        finally:
            self.client.delete_object(Bucket=self.bucket_name, Key=staging)
        return digest

    def abort(self, upload) -> None:
        from botocore.exceptions import ClientError

        if not upload.s3_upload_id:
            return
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket_name, Key=self._staging_key(upload), UploadId=upload.s3_upload_id
            )
        except ClientError:
            pass  # already completed or aborted: nothing left to free

    def _staging_key(self, upload) -> str:
        return f"{STAGING}/{upload.pk}"

    def sweep_unnamed_staging(self, live_ids: set[str], cutoff) -> int:
        """Aborts S3 multipart uploads and removes staging objects (an assembly cut short) under `_uploads/` that
        belong to no upload in progress and are older than `cutoff`."""
        removed = 0
        for page in self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket_name, Prefix=f"{STAGING}/"
        ):
            for started in page.get("Uploads", []):
                if started["Key"].rsplit("/", 1)[-1] not in live_ids and started["Initiated"] < cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket_name, Key=started["Key"], UploadId=started["UploadId"]
                    )
                    removed += 1
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=f"{STAGING}/"
        ):
            for stored in page.get("Contents", []):
                if stored["Key"].rsplit("/", 1)[-1] not in live_ids and stored["LastModified"] < cutoff:
                    self.client.delete_object(Bucket=self.bucket_name, Key=stored["Key"])
                    removed += 1
        return removed

    def _send_part(self, name, upload_id, number, source, size, *, whole: Digest | None = None) -> tuple[Digest, str]:
        """Spool one part to a temporary file (memory stays flat), then send it with its MD5 for S3 to check.
        `whole`, when given, also sees the bytes (the digest of the whole object)."""
        part = Digest()
        with tempfile.TemporaryFile() as spool:
            copy_exactly(source, _Tee(spool, whole) if whole else spool, size, part)
            spool.seek(0)
            try:
                answer = self.client.upload_part(
                    Bucket=self.bucket_name,
                    Key=name,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=spool,
                    ContentLength=size,
                    ContentMD5=_base64(part.md5),
                )
            except self.client.exceptions.NoSuchUpload:
                raise ObsError(UPLOAD_STATE, _("The upload is no longer in progress."), 409) from None
        return part, answer["ETag"].strip('"')


class _Tee:
    """A target that writes to a file and feeds a second digest (the whole object's)."""

    def __init__(self, target, digest: Digest):
        self.target, self.digest = target, digest

    def write(self, piece: bytes) -> None:
        self.target.write(piece)
        self.digest.update(piece)


def verify(digest: Digest, expected_sha256: str) -> None:
    if expected_sha256 and expected_sha256.lower() != digest.sha256:
        raise ObsError(
            CHECKSUM_MISMATCH,
            _(
                "The SHA-256 of the received bytes (%(actual)s) differs from the "
                "expected one (%(expected)s); nothing was stored."
            )
            % {"actual": digest.sha256, "expected": expected_sha256.lower()},
            400,
        )


def _base64(md5_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(md5_hex)).decode()
