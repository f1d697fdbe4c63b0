"""`manage.py verify_audit`: recompute the hash chain of the audit traces; exit non-zero at the first break."""

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Recompute the hash chain of the audit traces and report the first broken record."

    def handle(self, *args, **options):
        count, broken = verify_chain()
        if broken is None:
            self.stdout.write(f"OK: {count} traces, chain intact")
            return
        if broken.trace is None:
            raise CommandError(f"Chain broken after {count} valid traces: {broken.problem}")
        trace = broken.trace
        when = trace.time.astimezone(UTC).isoformat()
        raise CommandError(
            f"Chain broken at trace id={trace.pk} time={when} event={trace.event_name}: "
            f"{broken.problem} ({count} traces before it are intact)"
        )
