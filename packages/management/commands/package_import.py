"""Import a SCORM package or an H5P file as a lesson at the end of a module (bulk use).

    manage.py package_import FILE --module PAGE_ID [--title TEXT] [--completion-by RULE]

The page is created as a draft unless ``--publish`` is given. A refused package stores
nothing and the command exits with the reason."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from courses.models import ModulePage
from packages.inspection import PackageRefused
from packages.models import CompletionBy, H5PLessonPage, Package, PackageLessonPage
from packages.services import package_create


class Command(BaseCommand):
    help = "Import a SCORM package (.zip) or an H5P file (.h5p) as a lesson of a module."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the package file")
        parser.add_argument("--module", type=int, required=True, help="the module's page id")
        parser.add_argument("--title", help="the lesson's title (default: the package's)")
        parser.add_argument(
            "--completion-by", choices=CompletionBy.values, default=CompletionBy.EITHER
        )
        parser.add_argument("--minutes", type=int, default=10, help="estimated minutes")
        parser.add_argument("--publish", action="store_true", help="publish the lesson")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        module = ModulePage.objects.filter(pk=options["module"]).first()
        if module is None:
            raise CommandError(f"No module with page id {options['module']}.")
        if not 1 <= options["minutes"] <= 120:
            raise CommandError("--minutes must be between 1 and 120.")
        with transaction.atomic(), path.open("rb") as file:
            try:
                package = package_create(file, name=path.name)
            except PackageRefused as error:
                raise CommandError(f"{path.name} was refused: {error}") from None
            model = H5PLessonPage if package.kind == Package.Kind.H5P else PackageLessonPage
            title = (options["title"] or package.title)[:255]
            slug = base = slugify(title) or "paket"
            number = 1
            while module.get_children().filter(slug=slug).exists():
                number += 1
                slug = f"{base}-{number}"
            lesson = model(
                title=title,
                slug=slug,
                locale=module.locale,
                package=package,
                completion_by=options["completion_by"],
                estimated_minutes=options["minutes"],
                body=[],
                live=False,
            )
            module.add_child(instance=lesson)
            revision = lesson.save_revision()
            if options["publish"]:
                revision.publish()
        self.stdout.write(
            f"Imported {path.name} ({package.get_kind_display()}, {len(package.scos)} "
            f"part(s)) as lesson {lesson.pk} “{title}” in module {module.pk}"
            + (" (published)." if options["publish"] else " (draft).")
        )
