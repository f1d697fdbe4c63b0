"""Recomputing the chain: the first record that does not fit, or None."""

from dataclasses import dataclass

from audit.chain import row_hash
from audit.models import ChainHead, Trace


@dataclass
class Break:
    trace: Trace | None
    problem: str


def verify_chain() -> tuple[int, Break | None]:
    """(records checked, the first break). Reads in id order, a chunk at a time."""
    previous, count = "", 0
    for trace in Trace.objects.order_by("id").iterator(chunk_size=2000):
        if trace.previous_hash != previous:
            return count, Break(
                trace,
                "its previous_hash does not match the record before it (a record was removed, inserted or reordered)",
            )
        if row_hash(previous, trace) != trace.hash:
            return count, Break(trace, "its contents do not match its hash (the record was changed)")
        previous, count = trace.hash, count + 1
    head = ChainHead.objects.filter(pk=1).first()
    if count and (head is None or head.hash != previous):
        return count, Break(None, "the newest record is not the head of the chain (the last records were removed)")
    return count, None
