"""The hash chain of the traces: each row's hash covers the previous row's hash and the row's own fields.

A row cannot know its id before it is inserted, so the id is not hashed; a removed or reordered row shows
instead as a `previous_hash` that no longer names the row before it.
"""

import hashlib
import json
from datetime import UTC

# Every field a trace keeps, except the id and the chain's own two columns.
HASHED_FIELDS = (
    "time",
    "event_name",
    "operation",
    "resource_type",
    "resource_id",
    "resource_name",
    "account_id",
    "username",
    "project_id",
    "region_id",
    "source_ip",
    "request_id",
    "user_agent",
    "via",
    "result",
    "error_code",
    "summary",
)


def canonical(row) -> str:
    """The row as stable text: keys sorted, no spaces, the time in ISO 8601 UTC to the microsecond."""
    values = {name: getattr(row, name) for name in HASHED_FIELDS}
    values["time"] = row.time.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(previous_hash: str, row) -> str:
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(row).encode("utf-8"))
    return digest.hexdigest()
