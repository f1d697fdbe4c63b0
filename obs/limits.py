"""Sizes the object storage accepts. Operators may change them in settings (OBS_* names); read at call time."""

from django.conf import settings

from core.units import GiB, MiB

# Reads and writes move bytes in pieces of this size: nothing is ever held whole in memory.
PIECE = MiB
# S3 refuses parts under 5 MiB (but the last), and numbers them 1 to 10,000.
MIN_PART_SIZE = 5 * MiB
MAX_PARTS = 10_000


def max_put_size() -> int:
    """One streamed PUT; larger files go through a multipart upload (the product's limit is 5 GB)."""
    return getattr(settings, "OBS_MAX_PUT_SIZE", 5 * GiB)


def max_part_size() -> int:
    return getattr(settings, "OBS_MAX_PART_SIZE", 512 * MiB)


def default_part_size() -> int:
    return getattr(settings, "OBS_DEFAULT_PART_SIZE", 8 * MiB)


def max_object_size() -> int:
    return getattr(settings, "OBS_MAX_OBJECT_SIZE", MAX_PARTS * max_part_size())


def part_size_for(size: int, wanted: int | None) -> int:
    """The asked part size, or the default grown (by whole MiB) until the object fits in 10,000 parts."""
    if wanted:
        return wanted
    needed = -(-size // MAX_PARTS)
    return max(default_part_size(), -(-needed // MiB) * MiB)
