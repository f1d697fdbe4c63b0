from django.core.management.base import BaseCommand

from console.demo import seed_demo


class Command(BaseCommand):
    help = "Seed regions, the public image catalog and the demo accounts (repeatable)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-content",
            action="store_true",
            help="skip the small generated disks of the public images (quicker; a later run adds them)",
        )

    def handle(self, *args, without_content, **options):
        users = seed_demo(with_content=not without_content)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for user in users:
            self.stdout.write(f"  {user.username:16} {user.password}   ({user.account}: {user.role})")
