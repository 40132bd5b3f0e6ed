from django.core.management.base import BaseCommand

from elearning.core.services import site_setup


class Command(BaseCommand):
    help = (
        "Load the organisation register, create the page skeleton and the role groups (idempotent)."
    )

    def handle(self, *args, **options):
        site_setup()
        self.stdout.write(
            self.style.SUCCESS("Site set up: organisations, pages and roles are in place.")
        )
