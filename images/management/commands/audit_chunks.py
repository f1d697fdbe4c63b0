"""Re-hash stored chunks now, oldest verification first (the periodic task `images.audit_chunks` does the same
every 10 minutes for a bounded time): damaged chunks are quarantined and the images naming them fail."""

from django.core.management.base import BaseCommand, CommandError

from images.services.chunk_audit import audit_stored_chunks

MiB = 1024 * 1024


class Command(BaseCommand):
    help = "Verify stored chunks against their addresses; quarantine damaged ones and fail the images using them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=float, default=10.0, help="Stop after this many minutes (default: %(default)s)."
        )
        parser.add_argument(
            "--rate-mib",
            type=float,
            default=None,
            help="Read at most this many MiB/s on average (default: CHUNK_AUDIT_BYTES_PER_SECOND).",
        )

    def handle(self, *args, minutes, rate_mib, **options):
        if minutes <= 0 or (rate_mib is not None and rate_mib <= 0):
            raise CommandError("--minutes and --rate-mib must be positive")
        rate = None if rate_mib is None else int(rate_mib * MiB)
        result = audit_stored_chunks(budget_seconds=minutes * 60, bytes_per_second=rate)
        for region_id, digest, reason in result["quarantined"]:
            self.stderr.write(f"{region_id} chunk {digest} quarantined: {reason}")
        summary = (
            f"Verified {result['chunks_verified']} chunk(s), {result['bytes_read']} bytes read; "
            f"{len(result['quarantined'])} quarantined, {result['images_failed']} image(s) failed."
        )
        self.stdout.write(self.style.ERROR(summary) if result["quarantined"] else self.style.SUCCESS(summary))
        if result["errors"]:
            self.stderr.write(f"{result['errors']} chunk(s) could not be read; the next run tries them again.")
        if result["missing"]:
            self.stderr.write(f"{result['missing']} chunk object(s) were missing from the store.")
        if result["stopped"]:
            for note in result["stopped"]:
                self.stderr.write(f"Stopped early: {note}.")
        if result["not_moved"]:
            moved = f"{result['not_moved']} damaged object(s) could not be moved aside"
            self.stderr.write(f"{moved} (deleted instead, or tried again next run).")
