from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Create the demo content and one demo account per role (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DEBUG off (the accounts have a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo accounts with a known password while DEBUG is off. "
                "Pass --allow-production if this really is a demo server."
            )
        for account in demo_load():
            self.stdout.write(f"{account.description:<14} {account.email:<26} {DEMO_PASSWORD}")
