from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import ImsError
from iam.actors import project_in_region
from iam.credentials import create_access_key


class Command(BaseCommand):
    help = "Create an AK/SK pair for USERNAME and print 'AK SK PROJECT_ID' (the project of --region)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--region", default=None, help="region id; default: the first region")

    def handle(self, *args, username, region, **options):
        user = get_user_model().objects.filter(username=username).select_related("iam__account").first()
        if user is None or not hasattr(user, "iam"):
            raise CommandError(f"No IAM user named {username!r}.")
        project = project_in_region(user.iam.account, region)
        if project is None:
            raise CommandError(f"Region {region!r} is not served, or the account has no project there.")
        try:
            key, secret = create_access_key(user=user, description="created by manage.py create_access_key")
        except ImsError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{key.access_key} {secret} {project.id}")
