"""Reads for the manager reports: SQL aggregates over enrolments, a fixed number of queries
however many organisations, learners or months there are.

Every figure is computed from the organisation and role copied onto the enrolment when the
learner enrolled, so a move or a deleted account does not change past figures.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, LessonPage, QuizPage
from elearning.accounts.scope import ManagerScope
from elearning.organisations.models import County, Organisation
from progress.models import Enrolment, LessonProgress, ModuleCompletion
from progress.selectors import enrolment_annotations
from quizzes.models import Attempt

from . import disclosure

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


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def enrolments(
    *, scope: ManagerScope, filters: Filters, scoped: bool = True, by_place: bool = True
) -> QuerySet[Enrolment]:
    """Enrolments the report counts: in scope (unless ``scoped`` is False, for comparison
    rows that are suppressed instead), narrowed by the filters. The date range selects
    enrolments by the day they were enrolled (both ends included)."""
    qs = Enrolment.objects.all()
    if scoped:
        qs = qs.filter(scope.enrolment_q())
    if filters.course_key:
        qs = qs.filter(course_key=filters.course_key)
    if filters.role:
        qs = qs.filter(role_category=filters.role)
    if filters.date_from:
        qs = qs.filter(enrolled_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(enrolled_at__lt=_day_start(filters.date_to + timedelta(days=1)))
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
    outside = Enrolment.objects.all()
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


# --- The reports --------------------------------------------------------------------------


@dataclass
class CourseRow:
    course_key: UUID
    title: str
    figures: Figures


def overview(*, scope: ManagerScope, filters: Filters, language: str):
    """Per course, the figures of the enrolments in scope; and the total over all courses."""
    keys = final_test_keys()
    qs = enrolments(scope=scope, filters=filters)
    by_course = figures_by(qs, ("course_key",), keys, total=True)
    total = by_course.pop((), Figures())
    titles = course_titles([key for (key,) in by_course], language)
    rows = [
        CourseRow(key, titles.get(key, str(key)), figures) for (key,), figures in by_course.items()
    ]
    rows.sort(key=lambda row: row.title.lower())
    return rows, total


@dataclass
class PlaceRow:
    """A row of the organisation breakdown: one organisation, a county total or the country."""

    kind: str  # "organisation", "county" or "country"
    name: str
    county: str
    figures: Figures
    organisation_id: int | None = None


def organisations(*, scope: ManagerScope, filters: Filters) -> list[PlaceRow]:
    """Each organisation in scope with enrolments, grouped by county, followed (for
    comparison) by the totals of those counties and of the whole country. In a total that
    covers enrolments outside the scope, each figure is shown only if ``disclosure`` allows
    it (its outside part, alone or with the other figures, is 0 or at least 5 learners);
    under a role filter or a date range such totals are not shown at all. A national manager
    has everything in scope."""
    keys = final_test_keys()
    # A national manager with no place filter: the organisation rows and the country are the
    # same enrolments, so the country total comes with the rows in one statement.
    same = scope.national and not (filters.organisation_id or filters.county_id)
    own = figures_by(
        enrolments(scope=scope, filters=filters),
        ("organisation_id", "organisation__name", "organisation__county_id"),
        keys,
        total=same,
    )
    country_figures = own.pop((), Figures()) if same else None
    county_ids = {county_id for (_, _, county_id) in own if county_id}
    if filters.county_id:
        county_ids = {filters.county_id}
    withheld = not scope.national and (narrowed(filters) or bool(filters.role))
    publication = None
    if not scope.national and not withheld:
        publication = comparison_publication(
            scope=scope, final_keys=keys, counties=scope_counties(scope)
        )
    comparison = enrolments(scope=scope, filters=filters, scoped=False, by_place=False)
    # Counties this manager follows whole are in scope: exact under any filter. Others are
    # only counted (once, below) when their figures can be shown at all.
    counted = {c for c in county_ids if scope.national or c in scope.county_ids or not withheld}
    counties = figures_by(
        comparison.filter(organisation__county_id__in=counted), ("organisation__county_id",), keys
    )
    county_names = dict(County.objects.filter(pk__in=county_ids).values_list("pk", "name"))
    rows: list[PlaceRow] = []
    for (org_id, org_name, county_id), figures in own.items():
        rows.append(
            PlaceRow(
                "organisation", org_name or "", county_names.get(county_id, ""), figures, org_id
            )
        )
    for county_id in county_ids:
        in_scope = scope.national or county_id in scope.county_ids
        figures = counties.get((county_id,), Figures())
        if not in_scope:
            figures = _published(figures, publication, county_id, filters, withheld)
        name = county_names.get(county_id, "")
        rows.append(PlaceRow("county", name, name, figures))
    rows.sort(key=lambda row: (row.county == "", row.county, row.kind != "county", row.name))
    if scope.national:
        if country_figures is None:
            country_figures = figures_total(comparison, keys)
    elif withheld:
        country_figures = withhold(Figures(), ALL_HIDDEN)
    else:
        country_figures = _published(
            figures_total(comparison, keys), publication, disclosure.COUNTRY, filters, False
        )
    rows.append(PlaceRow("country", "", "", country_figures))
    return rows


def _published(figures, publication, place, filters: Filters, withheld: bool, role=None):
    """A comparison row's figures with what ``publication`` withholds marked; all of them
    when the filters narrow below the comparison family."""
    if withheld or publication is None:
        return withhold(Figures(), ALL_HIDDEN)
    cell = disclosure.Cell(place, filters.course_key, role)
    return withhold(figures, publication.hidden_columns(cell))


@dataclass
class RoleRow:
    role: str
    figures: Figures


def roles(*, scope: ManagerScope, filters: Filters) -> tuple[list[RoleRow], list[RoleRow]]:
    """Figures per role category: in scope, and (for non-national managers) in the whole
    country for comparison: every role category always listed (the one of the role filter
    alone), each figure shown only if ``disclosure`` allows it, none under a date range."""
    keys = final_test_keys()
    own = figures_by(enrolments(scope=scope, filters=filters), ("role_category",), keys)
    own_rows = sorted((RoleRow(role, f) for (role,), f in own.items()), key=_role_order)
    if scope.national:
        return own_rows, []
    names = comparison_roles()
    if filters.role:
        names = [filters.role]
    withheld = narrowed(filters)
    country: dict[str, Figures] = defaultdict(Figures)
    publication = None
    if not withheld:
        publication = comparison_publication(
            scope=scope, final_keys=keys, counties=scope_counties(scope)
        )
        counted = figures_by(
            enrolments(scope=scope, filters=filters, scoped=False, by_place=False),
            (role_given(),),
            keys,
        )
        country.update({role: figures for (role,), figures in counted.items()})
    country_rows = [
        RoleRow(
            role,
            _published(
                country[role], publication, disclosure.COUNTRY, filters, withheld, role=role
            ),
        )
        for role in names
    ]
    return own_rows, country_rows


def _role_order(row: RoleRow):
    from elearning.accounts.models import RoleCategory

    values = list(RoleCategory.values)
    return values.index(row.role) if row.role in values else len(values)


@dataclass
class MonthRow:
    month: date
    enrolled: int
    completed: int


def months(*, scope: ManagerScope, filters: Filters) -> list[MonthRow]:
    """Enrolments per month (by enrolment day) and completions per month (by completion day)
    in scope; the date range applies to each by its own date. Every month from the first to
    the last with figures is listed, empty ones between with zeros (two queries)."""
    qs = enrolments(
        scope=scope, filters=Filters(**{**filters.__dict__, "date_from": None, "date_to": None})
    )
    enrolled = qs
    completed = qs.filter(completed_at__isnull=False)
    if filters.date_from:
        enrolled = enrolled.filter(enrolled_at__gte=_day_start(filters.date_from))
        completed = completed.filter(completed_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        end = _day_start(filters.date_to + timedelta(days=1))
        enrolled = enrolled.filter(enrolled_at__lt=end)
        completed = completed.filter(completed_at__lt=end)
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for index, (query, field_name) in enumerate(
        ((enrolled, "enrolled_at"), (completed, "completed_at"))
    ):
        per_month = (
            query.annotate(month=TruncMonth(field_name))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in per_month:
            month = row["month"]
            month = month.date() if isinstance(month, datetime) else month
            counts[month.replace(day=1)][index] += row["n"]
    if not counts:
        return []
    # From the first month with anything to the last: a wide date range adds no empty rows.
    first, last = min(counts), max(counts)
    rows = []
    month = first
    while month <= last:
        enrolled_n, completed_n = counts.get(month, (0, 0))
        rows.append(MonthRow(month, enrolled_n, completed_n))
        month = (month + timedelta(days=32)).replace(day=1)
    return rows


@dataclass
class ModuleRow:
    number: int
    title: str
    reached: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completed / self.reached if self.reached else None


def modules(*, scope: ManagerScope, filters: Filters, outline) -> tuple[int, list[ModuleRow]]:
    """For the course of ``outline``: how many enrolments in scope reached each module (opened
    one of its lessons) and completed it; and how many enrolments there are (three queries)."""
    qs = enrolments(scope=scope, filters=filters)
    module_of = {lesson.key: module.key for module in outline.modules for lesson in module.lessons}
    reached: dict[str, int] = {}
    if module_of:
        per_module = (
            LessonProgress.objects.filter(enrolment__in=qs.values("pk"))
            .annotate(
                module=Case(
                    *(When(lesson_key=UUID(k), then=Value(m)) for k, m in module_of.items()),
                    default=Value(""),
                )
            )
            .values("module")
            .annotate(n=Count("enrolment", distinct=True))
            .order_by()
        )
        reached = {row["module"]: row["n"] for row in per_module}
    completed = dict(
        ModuleCompletion.objects.filter(enrolment__in=qs.values("pk"))
        .values("module_key")
        .annotate(n=Count("enrolment", distinct=True))
        .order_by()
        .values_list("module_key", "n")
    )
    rows = [
        ModuleRow(
            module.number,
            module.title,
            reached.get(module.key, 0),
            completed.get(UUID(module.key), 0),
        )
        for module in outline.modules
    ]
    return qs.count(), rows


# --- The learner list ---------------------------------------------------------------------

LEARNER_SORTS = {
    "name": ("user__last_name", "user__first_name", "pk"),
    "organisation": ("organisation__name", "pk"),
    "role": ("role_category", "pk"),
    "course": ("course__title", "pk"),
    "status": ("status_order", "pk"),
    "progress": ("lessons_done", "pk"),
    "activity": ("last_activity_at", "pk"),
    "score": ("score", "pk"),
}


def learners(*, scope: ManagerScope, filters: Filters, sort: str = "name") -> QuerySet:
    """Enrolments of learners in scope, one row per learner and course (never outside the
    scope), annotated with: ``lessons_done`` (distinct lessons completed), ``score`` (best
    final-test percentage), ``certificate_issued_at`` (the current, unrevoked certificate)
    and ``status_order`` (0 not started, 1 in progress, 2 completed, 3 left)."""
    keys = final_test_keys()
    done = (
        LessonProgress.objects.filter(enrolment=OuterRef("pk"), completed_at__isnull=False)
        .values("enrolment")
        .annotate(n=Count("lesson_key", distinct=True))
        .values("n")[:1]
    )
    started = Exists(LessonProgress.objects.filter(enrolment=OuterRef("pk")))
    qs = enrolments(scope=scope, filters=filters).annotate(
        lessons_done=Subquery(done),
        score=best_final_score(keys),
        # From the certificates app through progress (null when it is not installed).
        **{"certificate_issued_at": Value(None, output_field=DateTimeField())}
        | enrolment_annotations("certificate_issued_at"),
        status_order=Case(
            When(left_at__isnull=False, then=Value(3)),
            When(completed_at__isnull=False, then=Value(2)),
            When(started, then=Value(1)),
            default=Value(0),
        ),
    )
    descending = sort.startswith("-")
    fields = LEARNER_SORTS[sort.lstrip("-")]
    order = [
        (F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True))
        for name in fields
    ]
    return qs.order_by(*order)


def lesson_totals(course_keys) -> dict[UUID, int]:
    """Live lessons per course key, a lesson in both languages counted once (one query over
    the pages, none per learner)."""
    course_paths = dict(
        CoursePage.objects.filter(translation_key__in=list(course_keys)).values_list(
            "path", "translation_key"
        )
    )
    lessons: dict[UUID, set] = defaultdict(set)
    if course_paths:
        length = len(next(iter(course_paths)))  # courses all sit at the same depth
        for path, key in LessonPage.objects.live().values_list("path", "translation_key"):
            course_key = course_paths.get(path[:length])
            if course_key is not None:
                lessons[course_key].add(key)
    return {key: len(values) for key, values in lessons.items()}


@dataclass
class Place:
    """Choices for the organisation and county filters."""

    organisations: list[tuple[int, str]] = field(default_factory=list)
    counties: list[tuple[int, str]] = field(default_factory=list)


def place_choices(scope: ManagerScope) -> Place:
    """The organisations (in scope) and counties (touching the scope) a manager may filter
    by: choosing one only ever narrows the scope."""
    organisations = list(scope.organisations().order_by("name").values_list("pk", "name"))
    if scope.national:
        counties = list(County.objects.order_by("name").values_list("pk", "name"))
    else:
        county_ids = set(scope.county_ids) | set(
            Organisation.objects.filter(pk__in=scope.organisation_ids)
            .exclude(county=None)
            .values_list("county_id", flat=True)
        )
        counties = list(
            County.objects.filter(pk__in=county_ids).order_by("name").values_list("pk", "name")
        )
    return Place(organisations, counties)


@dataclass
class DigestRow:
    title: str
    enrolled: int
    enrolled_in_month: int
    completed: int
    completed_in_month: int


def digest(*, scope: ManagerScope, start: date, end: date, language: str) -> list[DigestRow]:
    """Per course in scope: all enrolments and completions, and those of the month
    [start, end) (two queries); the scope's own figures, so nothing is suppressed."""
    month = Q(enrolled_at__gte=_day_start(start), enrolled_at__lt=_day_start(end))
    done_in_month = Q(completed_at__gte=_day_start(start), completed_at__lt=_day_start(end))
    rows = (
        Enrolment.objects.filter(scope.enrolment_q(), enrolled_at__lt=_day_start(end))
        .values("course_key")
        .annotate(
            enrolled=Count("pk"),
            enrolled_in_month=Count("pk", filter=month),
            completed=Count("pk", filter=Q(completed_at__lt=_day_start(end))),
            completed_in_month=Count("pk", filter=done_in_month),
        )
        .order_by()
    )
    rows = list(rows)
    titles = course_titles([row["course_key"] for row in rows], language)
    result = [
        DigestRow(
            titles.get(row["course_key"], ""),
            row["enrolled"],
            row["enrolled_in_month"],
            row["completed"],
            row["completed_in_month"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: row.title.lower())
