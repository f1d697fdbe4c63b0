"""The object storage's operations: one function per operation, actor first, keyword-only arguments.

Console views, API views and the `put_object` command all call these; nobody else writes buckets or objects.
"""

from obs.services.buckets import create_bucket, delete_bucket, list_buckets
from obs.services.objects import delete_object, list_objects, open_object, put_object
from obs.services.reading import local_path_or_none, open_object_for_reading
from obs.services.uploads import abort_upload, complete_upload, list_parts, put_part, start_upload

__all__ = [
    "abort_upload",
    "complete_upload",
    "create_bucket",
    "delete_bucket",
    "delete_object",
    "list_buckets",
    "list_objects",
    "list_parts",
    "local_path_or_none",
    "open_object",
    "open_object_for_reading",
    "put_object",
    "put_part",
    "start_upload",
]
