"""Filters, the completion figures of a group of enrolments, and what a manager may be shown of
them (the disclosure decision applied)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, QuizPage
from elearning.accounts.scope import ManagerScope, counted_enrolment_q
from elearning.organisations.models import Organisation
from progress.models import Enrolment, LessonProgress
from quizzes.models import Attempt

from .. import disclosure, rollups

# Figures whose part outside the manager's scope covers fewer learners than this (but not
# none) are not shown; see ``disclosure``.
SUPPRESSION_THRESHOLD = disclosure.THRESHOLD

# Stands in for "no final test at all", so an IN () never reaches the database.
_NO_KEY = rollups.NO_KEY


@dataclass(frozen=True)
class Filters:
    """What the manager narrowed the report to; always applied inside their scope."""

    course_key: UUID | None = None
    organisation_id: int | None = None
    county_id: int | None = None
    role: str = ""
    date_from: date | None = None
    date_to: date | None = None


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def enrolments(
    *, scope: ManagerScope, filters: Filters, scoped: bool = True, by_place: bool = True
) -> QuerySet[Enrolment]:
    """Enrolments the report counts: in scope (unless ``scoped`` is False, for comparison
    rows that are suppressed instead), narrowed by the filters. The date range selects
    enrolments by the day they were enrolled (both ends included). Only verified accounts'
    enrolments count (``counted_enrolment_q``)."""
    qs = Enrolment.objects.filter(counted_enrolment_q())
    if scoped:
        qs = qs.filter(scope.enrolment_q())
    if filters.course_key:
        qs = qs.filter(course_key=filters.course_key)
    if filters.role:
        qs = qs.filter(role_category=filters.role)
    if filters.date_from:
        qs = qs.filter(enrolled_at__gte=day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(enrolled_at__lt=day_start(filters.date_to + timedelta(days=1)))
    if by_place:
        if filters.organisation_id:
            qs = qs.filter(organisation_id=filters.organisation_id)
        if filters.county_id:
            qs = qs.filter(organisation__county_id=filters.county_id)
    return qs


def final_test_keys() -> list[UUID]:
    """The translation keys of every final test: quiz pages placed directly in a course."""
    course_paths = set(CoursePage.objects.values_list("path", flat=True))
    keys = {
        key
        for key, path in QuizPage.objects.values_list("translation_key", "path")
        if path[: -Page.steplen] in course_paths
    }
    return sorted(keys) or [_NO_KEY]


def facts_ready() -> tuple[list[UUID], dict]:
    """``final_test_keys`` and the courses' layout, with the rollup made current for them
    (rebuilt if the final tests, lessons or modules changed): what every report reads its
    figures with."""
    keys = final_test_keys()
    return keys, rollups.facts_current(keys)


def final_keys_current() -> list[UUID]:
    """``final_test_keys``, with the rollup made current (``facts_ready``)."""
    return facts_ready()[0]


def facts(final_keys: list[UUID], *names: str) -> dict:
    """Annotations of an enrolment's rolled-up facts (``rollups``): ``f_started`` (a lesson
    opened), ``f_done`` (distinct lessons completed), ``f_tested``/``f_passed`` (a submitted
    / a passed final-test attempt), ``f_best`` (the best final-test percentage); only
    ``names`` when given. An enrolment without a rollup row (written outside the progress
    services) has each value computed from its own rows instead, by the same definition."""
    missing = Q(report_facts__isnull=True)
    attempts = Attempt.objects.filter(
        enrolment=OuterRef("pk"), placement_key__in=final_keys, submitted_at__isnull=False
    )
    done = (
        LessonProgress.objects.filter(enrolment=OuterRef("pk"), completed_at__isnull=False)
        .values("enrolment")
        .annotate(n=Count("lesson_key", distinct=True))
        .values("n")[:1]
    )
    live = {
        "f_started": (Exists(LessonProgress.objects.filter(enrolment=OuterRef("pk"))), "started"),
        "f_done": (Coalesce(Subquery(done), 0), "lessons_done"),
        "f_tested": (Exists(attempts), "tested"),
        "f_passed": (Exists(attempts.filter(passed=True)), "passed"),
        "f_best": (best_final_score(final_keys), "best"),
    }
    kinds = {"f_done": IntegerField(), "f_best": FloatField()}
    return {
        name: Case(
            When(missing, then=expression),
            default=F(f"report_facts__{column}"),
            output_field=kinds.get(name, BooleanField()),
        )
        for name, (expression, column) in live.items()
        if not names or name in names
    }


def _final_attempts(final_keys: list[UUID]) -> QuerySet[Attempt]:
    return Attempt.objects.filter(
        enrolment=OuterRef("pk"), placement_key__in=final_keys, submitted_at__isnull=False
    )


def best_final_score(final_keys: list[UUID]) -> Subquery:
    """Per enrolment: the best percentage among its submitted final-test attempts."""
    return Subquery(
        _final_attempts(final_keys)
        .values("enrolment")
        .annotate(best=Max("percent"))
        .values("best")[:1]
    )


@dataclass
class Figures:
    """The headline figures of one group of enrolments.

    enrolled: enrolments, including learners who later left; started: enrolments with at
    least one lesson opened, or completed; completed: enrolments whose course is completed;
    tested/passed: enrolments with a submitted final-test attempt / a passed one;
    mean_score: mean of each tested enrolment's best final-test percentage;
    median_days: median days from enrolment to completion, of completed enrolments.
    """

    enrolled: int = 0
    started: int = 0
    completed: int = 0
    tested: int = 0
    passed: int = 0
    mean_score: float | None = None
    median_days: float | None = None
    # Figure columns not shown (``disclosure.COLUMN_NEEDS`` keys); ``suppressed`` when that
    # is all of them.
    hidden: frozenset[str] = frozenset()
    suppressed: bool = False

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completed / self.enrolled if self.enrolled else None

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.tested if self.tested else None


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 86400


def figures_by(
    qs: QuerySet[Enrolment],
    group: tuple,
    final_keys: list[UUID],
    total: bool = False,
    counts_only: bool = False,
) -> dict[tuple, Figures]:
    """Figures of ``qs`` per value of the ``group`` fields (names or expressions), and with
    ``total`` (or no ``group``) of all of ``qs`` under the key ``()``; in one query (two on
    SQLite, which has no percentile function, so the median is taken in Python there).
    ``counts_only`` leaves out mean and median (cheaper, for the disclosure counts)."""
    sets = [group] if group else []
    if total or not group:
        sets.append(())
    result: dict[tuple, Figures] = {}
    for part in figures_sets(qs, sets, final_keys, counts_only=counts_only):
        result.update(part)
    return result


def figures_sets(
    qs: QuerySet[Enrolment], sets: list[tuple], final_keys: list[UUID], counts_only: bool = False
) -> list[dict[tuple, Figures]]:
    """Figures of ``qs`` per value of each grouping set in ``sets`` (a tuple of field names or
    expressions; ``()`` for all of ``qs`` together, under the key ``()``), one dict per set,
    from one statement: the enrolments are read once for all the sets.

    Each enrolment is read with its rolled-up facts (``facts``: one row per enrolment,
    rather than its lesson-progress rows and attempts aggregated on every page; those cost
    most of a national page's time at 100,000 learners)."""
    fields: list = []  # every grouping field once, in order
    for group in sets:
        fields += [name for name in group if name not in fields]
    aliases = [f"g{n}" for n in range(len(fields))]
    wanted = ("f_started", "f_tested", "f_passed") + (() if counts_only else ("f_best",))
    base = qs.annotate(
        **{
            alias: F(name) if isinstance(name, str) else name
            for alias, name in zip(aliases, fields, strict=True)
        },
        **facts(final_keys, *wanted),
    )
    try:
        base_sql, base_params = (
            base.values("id", "enrolled_at", "completed_at", *wanted, *aliases)
            .order_by()
            .query.sql_with_params()
        )
    except EmptyResultSet:
        # Django compiles a filter that can match nothing (an empty IN: a scope or a list
        # of counties without members) to no SQL at all; the ORM would answer [] itself.
        return [{} for _ in sets]
    postgres = connection.vendor == "postgresql"
    median = (
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "
        "EXTRACT(EPOCH FROM e.completed_at - e.enrolled_at)) / 86400.0"
        if postgres and not counts_only
        else "NULL"
    )
    figures = f"""
        COUNT(*),
        SUM(CASE WHEN e.completed_at IS NOT NULL OR e.f_started THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.f_tested THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.f_passed THEN 1 ELSE 0 END),
        {"NULL" if counts_only else "AVG(e.f_best)"},
        {median}
        FROM e
    """
    if postgres:
        # One GROUP BY GROUPING SETS: PostgreSQL sorts once per chain of nested sets (the
        # organisation report's organisations, counties and country: one sort) and reads
        # the enrolments once; GROUPING() tells the set of each row (a bit per field that
        # the set does not group by).
        masks = {
            sum(
                1 << (len(fields) - 1 - n) for n, name in enumerate(fields) if name not in group
            ): index
            for index, group in enumerate(sets)
        }
        columns = ", ".join(f"e.{alias}" for alias in aliases)
        grouping = f"GROUPING({columns})" if fields else "0"
        grouping_sets = ", ".join(
            "(" + ", ".join(f"e.{aliases[fields.index(name)]}" for name in group) + ")"
            for group in sets
        )
        sql = f"""
            WITH e AS ({base_sql})
            SELECT {grouping}{", " + columns if columns else ""}, {figures}
            GROUP BY GROUPING SETS ({grouping_sets})
        """
    else:
        # Each part starts with its set's index, then every grouping field (NULL where the
        # set does not group by it).
        masks = {index: index for index in range(len(sets))}
        parts = []
        for index, group in enumerate(sets):
            columns = ", ".join(
                f"e.{alias}" if name in group else "NULL"
                for alias, name in zip(aliases, fields, strict=True)
            )
            grouped = ", ".join(f"e.{aliases[fields.index(name)]}" for name in group)
            parts.append(
                f"SELECT {index}{', ' + columns if columns else ''}, {figures}"
                + (f" GROUP BY {grouped}" if group else "")
            )
        sql = f"""
            WITH e AS ({base_sql})
            {" UNION ALL ".join(parts)}
        """
    result: list[dict[tuple, Figures]] = [{} for _ in sets]
    positions = [[fields.index(name) for name in group] for group in sets]
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # PostgreSQL would JIT-compile this statement (its cost estimate is high), which
            # took 0.6 s of 1.4 s at 68,000 enrolments: far more than it saves here.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, base_params)
        for mask, *row in cursor.fetchall():
            index = masks[mask]
            values = row[: len(fields)]
            enrolled, started, completed, tested, passed, mean, days = row[len(fields) :]
            if not sets[index] and not enrolled:
                continue  # no enrolments at all: no total row, as no group rows
            key = tuple(
                _from_db(qs.model, sets[index][n], values[position])
                for n, position in enumerate(positions[index])
            )
            result[index][key] = Figures(
                enrolled=int(enrolled),
                started=int(started),
                completed=int(completed),
                tested=int(tested or 0),
                passed=int(passed or 0),
                mean_score=None if mean is None else float(mean),
                median_days=None if days is None else float(days),
            )
    if not postgres and not counts_only:
        for index, group in enumerate(sets):
            durations = defaultdict(list)
            completed = qs.filter(completed_at__isnull=False).values_list(
                *group, "enrolled_at", "completed_at"
            )
            for *key, enrolled_at, completed_at in completed:
                durations[tuple(key)].append(_days(completed_at - enrolled_at))
            for key, values in durations.items():
                if key in result[index]:
                    result[index][key].median_days = statistics.median(values)
    return result


def _from_db(model, name: str, value):
    """A grouping value as the ORM would give it (UUIDs from SQLite's text, for one)."""
    if value is None or not isinstance(name, str) or "__" in name or name.startswith("_"):
        return value
    field = model._meta.get_field(name)
    if isinstance(field, UUIDField) and not isinstance(value, UUID):
        return UUID(str(value))
    return value


def figures_total(qs: QuerySet[Enrolment], final_keys: list[UUID]) -> Figures:
    """Figures of all of ``qs`` together."""
    return figures_by(qs, (), final_keys).get((), Figures())


def withhold(figures: Figures, hidden: frozenset[str]) -> Figures:
    """Mark the figure columns ``hidden`` as not to be shown."""
    figures.hidden = frozenset(hidden)
    figures.suppressed = figures.hidden >= set(disclosure.COLUMN_NEEDS)
    return figures


ALL_HIDDEN = frozenset(disclosure.COLUMN_NEEDS)


def scope_counties(scope: ManagerScope) -> set[int]:
    """The counties touching a (non-national) scope: those it follows whole, and those of
    the organisations it follows one by one (one query)."""
    return set(scope.county_ids) | set(
        Organisation.objects.filter(pk__in=scope.organisation_ids)
        .exclude(county=None)
        .values_list("county_id", flat=True)
    )


def comparison_roles() -> list[str]:
    """The role rows of the whole-country comparison: every category and "" (not given),
    always all of them, so that a row's presence says nothing about who is outside."""
    from elearning.accounts.models import RoleCategory

    return [*RoleCategory.values, ""]


def role_given():
    """An enrolment's role category, or "" (not given) for any other value, as the
    comparison rows count it."""
    return Case(
        When(role_category__in=comparison_roles()[:-1], then=F("role_category")),
        default=Value(""),
    )


def comparison_publication(
    *, scope: ManagerScope, final_keys: list[UUID], counties: set[int]
) -> disclosure.Publication | None:
    """Which comparison figures a non-national manager may see (None for a national one,
    who has everything in scope): the enrolments outside the scope counted per county,
    course, role and status in one query (two on SQLite), then ``disclosure.family_publish``
    over the whole family of comparison cells, whatever the request's filters."""
    if scope.national:
        return None
    outside = Enrolment.objects.filter(counted_enrolment_q())
    if not scope.is_empty:
        outside = outside.exclude(pk__in=Enrolment.objects.filter(scope.enrolment_q()).values("pk"))
    group = ("organisation__county_id", "course_key", role_given())
    groups = figures_by(outside, group, final_keys, counts_only=True)
    roles = comparison_roles()
    return disclosure.family_publish(
        atoms=disclosure.atoms_from(groups, roles), counties=counties, roles=roles
    )


def narrowed(filters: Filters) -> bool:
    """Whether the filters narrow the population below the comparison family (an enrolment
    date range): comparison rows with an outside part are then not shown at all."""
    return bool(filters.date_from or filters.date_to)


# --- Course titles ------------------------------------------------------------------------


def course_titles(keys, language: str) -> dict[UUID, str]:
    """The title of each course key, in ``language`` when a page in it exists (one query)."""
    titles: dict[UUID, str] = {}
    pages = CoursePage.objects.filter(translation_key__in=list(keys)).values_list(
        "translation_key", "title", "locale__language_code"
    )
    for key, title, page_language in pages:
        if key not in titles or page_language == language:
            titles[key] = title
    return titles


def course_choices(language: str) -> list[tuple[UUID, str]]:
    """Courses a manager can filter by: every course page, titled in ``language`` if it can."""
    keys = CoursePage.objects.values_list("translation_key", flat=True)
    titles = course_titles(keys, language)
    return sorted(titles.items(), key=lambda item: item[1].lower())
