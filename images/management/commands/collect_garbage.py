"""Free what no image needs: manifests left by jobs that died, then chunks no manifest names (the periodic task
`images.collect_garbage` does the same every hour)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from images.services.storage import MANIFEST_GRACE, collect_unreferenced


class Command(BaseCommand):
    help = "Remove orphaned manifests and unreferenced chunks older than the grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=MANIFEST_GRACE.total_seconds() / 3600,
            help="Keep anything written within this many hours (default: %(default)s).",
        )

    def handle(self, *args, grace_hours, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours cannot be negative")
        grace = timedelta(hours=grace_hours)
        result = collect_unreferenced(manifest_grace=grace, chunk_grace=grace)
        self.stdout.write(
            self.style.SUCCESS(f"Removed {result['manifests']} orphaned manifest(s) and {result['chunks']} chunk(s).")
        )
