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
    Case,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, QuizPage
from elearning.accounts.scope import ManagerScope, counted_enrolment_q
from elearning.organisations.models import Organisation
from progress.models import Enrolment, LessonProgress
from quizzes.models import Attempt

from .. import disclosure

# Figures whose part outside the manager's scope covers fewer learners than this (but not
# none) are not shown; see ``disclosure``.
SUPPRESSION_THRESHOLD = disclosure.THRESHOLD

# Stands in for "no final test at all", so an IN () never reaches the database.
_NO_KEY = UUID(int=0)


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

    learners: distinct people (an enrolment whose account was deleted counts as one person);
    enrolled: enrolments, including learners who later left; started: enrolments with at
    least one lesson opened, or completed; completed: enrolments whose course is completed;
    tested/passed: enrolments with a submitted final-test attempt / a passed one;
    mean_score: mean of each tested enrolment's best final-test percentage;
    median_days: median days from enrolment to completion, of completed enrolments.
    """

    learners: int = 0
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

    The enrolments are read once; their final-test attempts and whether they opened a lesson
    are aggregated per enrolment once and joined, rather than asked row by row (four
    correlated subqueries per enrolment cost seconds at national scale). ``counts_only``
    leaves out learners, mean and median (cheaper, for the disclosure counts).
    """
    aliases = [f"g{n}" for n in range(len(group))]
    base = qs.annotate(
        **{
            alias: F(name) if isinstance(name, str) else name
            for alias, name in zip(aliases, group, strict=True)
        }
    )
    try:
        base_sql, base_params = (
            base.values("id", "user_id", "enrolled_at", "completed_at", *aliases)
            .order_by()
            .query.sql_with_params()
        )
    except EmptyResultSet:
        # Django compiles a filter that can match nothing (an empty IN: a scope or a list
        # of counties without members) to no SQL at all; the ORM would answer [] itself.
        return {}
    key_field = Attempt._meta.get_field("placement_key")
    keys = [key_field.get_db_prep_value(key, connection) for key in final_keys]
    attempt, progress = Attempt._meta.db_table, LessonProgress._meta.db_table
    median = (
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "
        "EXTRACT(EPOCH FROM e.completed_at - e.enrolled_at)) / 86400.0"
        if connection.vendor == "postgresql" and not counts_only
        else "NULL"
    )
    learners = (
        "0"
        if counts_only
        else "COUNT(DISTINCT e.user_id) + SUM(CASE WHEN e.user_id IS NULL THEN 1 ELSE 0 END)"
    )
    figures = f"""
        {learners},
        COUNT(*),
        SUM(CASE WHEN e.completed_at IS NOT NULL OR p.enrolment_id IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END),
        COUNT(a.enrolment_id),
        COALESCE(SUM(a.passed), 0),
        {"NULL" if counts_only else "AVG(a.best)"},
        {median}
        FROM e
        LEFT JOIN a ON a.enrolment_id = e.id
        LEFT JOIN p ON p.enrolment_id = e.id
    """
    # Each part starts with 0 for a group's row, 1 for the total's.
    parts = []
    if group:
        grouped = ", ".join(f"e.{alias}" for alias in aliases)
        parts.append(f"SELECT 0, {grouped}, {figures} GROUP BY {grouped}")
    if total or not group:
        parts.append(f"SELECT 1, {', '.join(['NULL'] * len(group) + [figures])}")
    sql = f"""
        WITH e AS ({base_sql}),
        a AS (
            SELECT t.enrolment_id, MAX(t.percent) AS best,
                   MAX(CASE WHEN t.passed THEN 1 ELSE 0 END) AS passed
            FROM {attempt} t JOIN e ON e.id = t.enrolment_id
            WHERE t.submitted_at IS NOT NULL
              AND t.placement_key IN ({", ".join(["%s"] * len(keys))})
            GROUP BY t.enrolment_id
        ),
        p AS (
            SELECT DISTINCT l.enrolment_id FROM {progress} l JOIN e ON e.id = l.enrolment_id
        )
        {" UNION ALL ".join(parts)}
    """
    result = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL would JIT-compile this statement (its cost estimate is high), which
            # took 0.6 s of 1.4 s at 68,000 enrolments: far more than it saves here.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*base_params, *keys])
        for is_total, *row in cursor.fetchall():
            if is_total:
                key = ()
            else:
                key = tuple(
                    _from_db(qs.model, name, value) for name, value in zip(group, row, strict=False)
                )
            learners, enrolled, started, completed, tested, passed, mean, days = row[len(group) :]
            if is_total and not enrolled:
                continue  # no enrolments at all: no total row, as no group rows
            result[key] = Figures(
                learners=int(learners),
                enrolled=int(enrolled),
                started=int(started),
                completed=int(completed),
                tested=int(tested or 0),
                passed=int(passed or 0),
                mean_score=None if mean is None else float(mean),
                median_days=None if days is None else float(days),
            )
    if connection.vendor != "postgresql" and not counts_only:
        durations = defaultdict(list)
        completed = qs.filter(completed_at__isnull=False).values_list(
            *group, "enrolled_at", "completed_at"
        )
        for *key, enrolled_at, completed_at in completed:
            days = _days(completed_at - enrolled_at)
            if group:
                durations[tuple(key)].append(days)
            if total or not group:
                durations[()].append(days)
        for key, values in durations.items():
            if key in result:
                result[key].median_days = statistics.median(values)
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
