"""Entry points: generate the data set, or delete it."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.db import connection, transaction
from wagtail.models import Locale

from elearning.accounts import roles
from elearning.accounts.models import User

from .courses import course_shape, courses_ensure
from .learners import Generator
from .managers import managers_create
from .shares import CHUNK, DOMAIN, MANAGER_PASSWORD, MAX_COURSES, GenerateError
from .writer import Writer, reference_checks_skip

# --- Entry points ----------------------------------------------------------------------------


def generated_users():
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def dataset_delete() -> dict[str, int]:
    """Delete everything an earlier generation wrote (users of the generated domain, their
    enrolments and all rows hanging from them); returns rows deleted per table."""
    from certificates.models import Certificate
    from packages.models import PackageRecord
    from progress.models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion
    from quizzes.models import Attempt, AttemptAnswer
    from reports.models import EnrolmentFacts
    from xapi.models import OutboxStatement

    q = connection.ops.quote_name
    enrolments = (
        f"SELECT e.id FROM {q(Enrolment._meta.db_table)} e JOIN {q(User._meta.db_table)} u "
        f"ON u.id = e.user_id WHERE u.email LIKE %s"
    )
    pattern = f"%@{DOMAIN}"
    attempts = f"SELECT id FROM {q(Attempt._meta.db_table)} WHERE enrolment_id IN ({enrolments})"
    events = (
        f"SELECT id FROM {q(LearningEvent._meta.db_table)} WHERE enrolment_id IN ({enrolments})"
    )
    statements = [
        (OutboxStatement, f"event_id IN ({events})"),
        (AttemptAnswer, f"attempt_id IN ({attempts})"),
        (Attempt, f"enrolment_id IN ({enrolments})"),
        (LearningEvent, f"enrolment_id IN ({enrolments})"),
        (LessonProgress, f"enrolment_id IN ({enrolments})"),
        (ModuleCompletion, f"enrolment_id IN ({enrolments})"),
        (PackageRecord, f"enrolment_id IN ({enrolments})"),
        (EnrolmentFacts, f"enrolment_id IN ({enrolments})"),
    ]
    handled = {
        Enrolment: {
            Attempt,
            LearningEvent,
            LessonProgress,
            ModuleCompletion,
            Certificate,
            PackageRecord,
            EnrolmentFacts,
        },
        Attempt: {AttemptAnswer},
        LearningEvent: {OutboxStatement},
    }
    for model, known in handled.items():
        unknown = {rel.related_model for rel in model._meta.related_objects} - known
        if unknown:
            # Rows are deleted without foreign-key checks: a new dependent table must be
            # added here, or its rows would point at deleted ones.
            raise GenerateError(
                f"{model.__name__} has dependents the generator does not know: "
                f"{', '.join(sorted(m._meta.label for m in unknown))}."
            )
    deleted = {}
    with connection.cursor() as cursor:
        if Certificate.objects.filter(enrolment__user__email__endswith=f"@{DOMAIN}").exists():
            raise GenerateError(
                "Generated learners have certificates (issued outside the generator); "
                "delete them first."
            )
        for model, where in statements:
            cursor.execute(f"DELETE FROM {q(model._meta.db_table)} WHERE {where}", [pattern])
            deleted[model._meta.label] = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {q(Enrolment._meta.db_table)} WHERE id IN ({enrolments})", [pattern]
        )
        deleted[Enrolment._meta.label] = cursor.rowcount
        learners = f"SELECT id FROM {q(User._meta.db_table)} WHERE email LIKE %s"
        for through in (
            User.groups.through,
            User.user_permissions.through,
            User.managed_organisations.through,
            User.managed_counties.through,
        ):
            cursor.execute(
                f"DELETE FROM {q(through._meta.db_table)} WHERE user_id IN ({learners})",
                [pattern],
            )  # fmt: skip
    # Anything else pointing at the users (admin log, Wagtail profiles) goes the ORM's way.
    count, _ = generated_users().delete()
    deleted[User._meta.label] = count
    return deleted


def dataset_generate(
    *,
    learners: int,
    seed: int = 1,
    courses: int = 3,
    months: int = 18,
    replace: bool = False,
    stdout=None,
) -> dict[str, int]:
    """Generate ``learners`` learners with enrolments and progress in ``courses`` courses
    over the last ``months`` months, plus three managers; returns rows written per model.

    Refuses when generated data exists, unless ``replace`` (then deletes it first)."""
    if learners < 1:
        raise GenerateError("Give at least one learner.")
    if not 1 <= courses <= MAX_COURSES:
        raise GenerateError(f"Courses: 1 to {MAX_COURSES}.")
    if months < 1:
        raise GenerateError("Months: at least 1.")
    say = stdout.write if stdout is not None else (lambda text: None)
    began = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres and reference_checks_skip():
            say("Foreign-key checks are skipped in this transaction (rows are consistent).")
        if generated_users().exists():
            if not replace:
                raise GenerateError(
                    f"Generated data exists (users @{DOMAIN}); run with --replace to delete "
                    "it and generate again."
                )
            deleted = dataset_delete()
            say(f"Deleted the earlier generated data: {_summary(deleted)}.")
        if not Group.objects.filter(name=roles.MANAGERS).exists() or not Locale.objects.exists():
            raise GenerateError("The site is not set up: run `manage.py setup_site` first.")
        pages = courses_ensure(courses)
        shapes = [course_shape(course, rng) for course in pages]
        say(f"Courses: {', '.join(shape.title for shape in shapes)} ({_seconds(began)}).")
        writer = Writer()
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        generator = Generator(
            rng=rng,
            courses=shapes,
            now=today,
            months=months,
            writer=writer,
            learners_group=Group.objects.get(name=roles.LEARNERS),
            learners=learners,
        )
        try:
            for first in range(1, learners + 1, CHUNK):
                generator.chunk(first, min(CHUNK, learners + 1 - first))
                if learners > CHUNK:
                    say(f"  {min(first + CHUNK - 1, learners):,} learners ({_seconds(began)})")
        finally:
            writer.close()
        managers = managers_create(writer)
        # The rows were written without the progress services, so without the learning
        # events that keep the reports' rollup: rebuilt here, in the same transaction.
        from reports.models import EnrolmentFacts
        from reports.rollups import facts_rebuild
        from reports.selectors import final_test_keys

        facts = facts_rebuild(final_test_keys())
        writer.counts[EnrolmentFacts._meta.label] = facts
        say(f"Report rollup: {facts:,} rows ({_seconds(began)}).")
        if writer.postgres:
            from progress.models import Enrolment, LearningEvent, LessonProgress
            from quizzes.models import Attempt

            with connection.cursor() as cursor:
                for model in (
                    User, Enrolment, LessonProgress, Attempt, LearningEvent, EnrolmentFacts
                ):  # fmt: skip
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    say(f"Wrote {_summary(writer.counts)} in {_seconds(began)}.")
    say(f"Managers (password {MANAGER_PASSWORD!r}): {', '.join(managers)}")
    return writer.counts


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {label}" for label, count in counts.items())


def _seconds(began: float) -> str:
    return f"{time.monotonic() - began:.1f} s"
