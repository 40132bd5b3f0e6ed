"""Generate a large, realistic data set of learners and progress for benchmarks and demos."""

from django.core.management.base import BaseCommand, CommandError

from demo.generate import DOMAIN, MAX_COURSES, GenerateError, dataset_generate


class Command(BaseCommand):
    help = (
        f"Generate learners (e-mail @{DOMAIN}) spread over all municipalities, regions and "
        "county boards, their enrolments, lesson progress, quiz attempts, completions and "
        "learning events, and three managers. Deterministic for a seed. Refuses when "
        "generated data exists, unless --replace. Never touches other users."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, required=True, help="How many learners.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--courses",
            type=int,
            default=MAX_COURSES,
            help=f"How many courses, 1 to {MAX_COURSES} (default {MAX_COURSES}).",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=18,
            help="Enrolments are spread over this many months back from today (default 18).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the data an earlier run generated, then generate again.",
        )

    def handle(self, *args, learners, seed, courses, months, replace, **options):
        try:
            dataset_generate(
                learners=learners,
                seed=seed,
                courses=courses,
                months=months,
                replace=replace,
                stdout=self.stdout,
            )
        except GenerateError as error:
            raise CommandError(str(error)) from error
