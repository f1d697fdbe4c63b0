"""Byte units, as the product counts them (binary multiples)."""

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


def gib_ceil(size_bytes: int) -> int:
    """Whole GiB needed to hold `size_bytes`."""
    return -(-size_bytes // GiB)
