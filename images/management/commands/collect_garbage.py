"""Free what no image or disk needs: staging folders of ended jobs, manifests left by jobs that died, then the
chunks no manifest names (the periodic task `images.collect_garbage` does the same every hour)."""

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
            help="Keep anything written or touched within this many hours (default: %(default)s).",
        )

    def handle(self, *args, grace_hours, verbosity, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours cannot be negative")

        def removed(region_id, digest, stored_size):
            if verbosity >= 2:
                self.stdout.write(f"removed {region_id} {digest} ({stored_size} bytes)")

        grace = timedelta(hours=grace_hours)
        result = collect_unreferenced(manifest_grace=grace, chunk_grace=grace, on_removed=removed)
        self.report(result)

    def report(self, result: dict) -> None:
        self.stdout.write(f"Aborted {result['uploads']} abandoned multipart upload(s).")
        self.stdout.write(
            f"Removed {result['upload_strays']} multipart staging folder(s) or upload(s) that no upload names."
        )
        self.stdout.write(f"Removed {result['manifests']} orphaned manifest(s).")
        for region_id, (chunks, stored) in sorted(result["by_region"].items()):
            self.stdout.write(f"{region_id}: removed {chunks} chunk(s), {stored} bytes")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {result['chunks']} chunk(s), {result['bytes']} bytes; "
                f"{result['spared']} spared by writers in progress."
            )
        )
        self.stdout.write(
            f"Removed {result['strays']} stray file(s) no row names (partial writes), {result['stray_bytes']} bytes."
        )
        if result["objects_not_removed"]:
            self.stderr.write(f"{result['objects_not_removed']} object(s) could not be removed from storage.")
