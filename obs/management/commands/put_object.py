"""Store a file as an object, for automation: `manage.py put_object ACCOUNT REGION BUCKET:KEY FILE`."""

import mimetypes
import os

from django.core.management.base import BaseCommand, CommandError

from core.errors import ImsError
from iam.actors import Actor, system_actor
from iam.models import Project
from obs import services
from obs.errors import NOT_FOUND
from obs.naming import parse_url


class Command(BaseCommand):
    help = "Stream FILE into BUCKET:KEY of ACCOUNT in REGION, creating the bucket when missing."

    def add_arguments(self, parser):
        parser.add_argument("account", help="The account's name.")
        parser.add_argument("region", help="A region id, e.g. cn-north-4.")
        parser.add_argument("url", metavar="BUCKET:KEY")
        parser.add_argument("file", help="The file to store.")
        parser.add_argument("--content-type", default="", help="Default: guessed from the file name.")

    def handle(self, *args, account, region, url, file, content_type, **options):
        project = (
            Project.objects.select_related("account", "region").filter(account__name=account, region_id=region).first()
        )
        if project is None:
            raise CommandError(f"Account {account!r} has no project in region {region!r}.")
        actor = system_actor(project)
        try:
            bucket, key = parse_url(url)
            self._ensure_bucket(actor, bucket)
            with open(file, "rb") as source:
                stored = services.put_object(
                    actor,
                    bucket=bucket,
                    key=key,
                    stream=source,
                    size=os.fstat(source.fileno()).st_size,
                    content_type=content_type or mimetypes.guess_type(file)[0] or "",
                )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except ImsError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(f"Stored {stored.url} ({stored.size} bytes, sha256 {stored.sha256}).")

    def _ensure_bucket(self, actor: Actor, bucket: str) -> None:
        try:
            services.list_objects(actor, bucket=bucket, limit=1)
        except ImsError as error:
            if error.code != NOT_FOUND:
                raise
            services.create_bucket(actor, name=bucket)
            self.stdout.write(f"Created bucket {bucket}.")
