import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ImsError
from iam.provisioning import load_identity, parse_identity


class Command(BaseCommand):
    help = (
        "Create the accounts, projects, users and Keystone role assignments (reader, member, admin) of a JSON "
        "file, all or nothing. Idempotent: what exists is kept, and the listed users' passwords are (re)set."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help='JSON: {"accounts": [{"name", "projects": [...], "users": [...]}]}')

    def handle(self, *args, file: str, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file}: not a JSON file ({error}).") from None
        try:
            outcome = load_identity(parse_identity(data))
        except ImsError as error:
            raise CommandError(f"{error.code} {error.message} Nothing was changed.") from None
        self.stdout.write(outcome.summary())
