"""Remove the chunks no image or disk names any more (after a grace period that protects running imports)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from images.blobs.gc import DEFAULT_GRACE, collect_garbage


class Command(BaseCommand):
    help = "Remove stored chunks that no manifest references and that nothing touched within the grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=DEFAULT_GRACE.total_seconds() / 3600,
            help="Spare chunks touched within this many hours (default: %(default)s).",
        )

    def handle(self, *args, grace_hours, verbosity, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours cannot be negative")

        def removed(region_id, digest, stored_size):
            if verbosity >= 2:
                self.stdout.write(f"removed {region_id} {digest} ({stored_size} bytes)")

        stats = collect_garbage(grace=timedelta(hours=grace_hours), on_removed=removed)
        for region_id, (chunks, stored) in sorted(stats.by_region.items()):
            self.stdout.write(f"{region_id}: removed {chunks} chunk(s), {stored} bytes")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {stats.chunks_deleted} chunk(s), {stats.bytes_deleted} bytes; "
                f"{stats.chunks_spared} spared by writers in progress."
            )
        )
        if stats.objects_not_removed:
            self.stderr.write(f"{stats.objects_not_removed} object(s) could not be removed from storage.")
