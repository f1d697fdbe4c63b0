"""`manage.py load_metadefs [FILE] [--replace]`: the standard metadata definition namespaces (or FILE's)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ImsError
from images.metadefs.seed import STANDARD, load_metadefs


class Command(BaseCommand):
    help = "Load metadata definition namespaces (Glance's standard set by default); existing ones are kept."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(STANDARD))
        parser.add_argument("--replace", action="store_true", help="Replace namespaces that already exist.")

    def handle(self, *args, file, replace, **options):
        try:
            loaded, kept = load_metadefs(file, replace=replace)
        except (OSError, ValueError, ImsError) as error:
            raise CommandError(f"{file}: {error}") from None
        if options["verbosity"]:
            self.stdout.write(f"{loaded} namespaces loaded, {kept} already present and kept.")
