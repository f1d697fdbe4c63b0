from django.core.management.base import BaseCommand

from console.demo import seed_demo


class Command(BaseCommand):
    help = "Seed regions, the public image catalog and the demo accounts (repeatable)."

    def handle(self, *args, **options):
        users = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for user in users:
            self.stdout.write(f"  {user.username:16} {user.password}   ({user.account}: {user.role})")
