"""The reports that group enrolments: by course, organisation, role, month and module."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth

from elearning.accounts.scope import ManagerScope
from elearning.organisations.models import County
from progress.models import LessonProgress, ModuleCompletion

from .. import disclosure, rollups
from .figures import (
    ALL_HIDDEN,
    Figures,
    Filters,
    comparison_publication,
    comparison_roles,
    course_titles,
    day_start,
    enrolments,
    facts_ready,
    figures_by,
    figures_sets,
    final_keys_current,
    narrowed,
    role_given,
    scope_counties,
    withhold,
)

# --- The reports --------------------------------------------------------------------------


@dataclass
class CourseRow:
    course_key: UUID
    title: str
    figures: Figures


def overview(*, scope: ManagerScope, filters: Filters, language: str):
    """Per course, the figures of the enrolments in scope; and the total over all courses."""
    keys = final_keys_current()
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
    keys = final_keys_current()
    by_organisation = ("organisation_id", "organisation__name", "organisation__county_id")
    by_county = ("organisation__county_id",)
    own_enrolments = enrolments(scope=scope, filters=filters)
    comparison = enrolments(scope=scope, filters=filters, scoped=False, by_place=False)
    withheld = not scope.national and (narrowed(filters) or bool(filters.role))
    # A national manager with no place filter: the organisation rows, the counties and the
    # country are the same enrolments, so all three come from one statement.
    same = scope.national and not (filters.organisation_id or filters.county_id)
    if same:
        sets = [by_organisation, by_county, ()]
        own, counties, country = figures_sets(own_enrolments, sets, keys)
        country_figures = country.get((), Figures())
    else:
        own = figures_by(own_enrolments, by_organisation, keys)
        country_figures = None
    county_ids = {county_id for (_, _, county_id) in own if county_id}
    if filters.county_id:
        county_ids = {filters.county_id}
    publication = None
    if not scope.national and not withheld:
        publication = comparison_publication(
            scope=scope, final_keys=keys, counties=scope_counties(scope)
        )
    if not same:
        # Counties this manager follows whole are in scope: exact under any filter. Others
        # are only counted when their figures can be shown at all; the country with them.
        counted = {c for c in county_ids if scope.national or c in scope.county_ids or not withheld}
        if scope.national or not withheld:
            counties, country = figures_sets(comparison, [by_county, ()], keys)
            country_figures = country.get((), Figures())
        else:
            counties = figures_by(
                comparison.filter(organisation__county_id__in=counted), by_county, keys
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
    if withheld:
        country_figures = withhold(Figures(), ALL_HIDDEN)
    elif not scope.national:
        country_figures = _published(
            country_figures, publication, disclosure.COUNTRY, filters, False
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
    keys = final_keys_current()
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
        enrolled = enrolled.filter(enrolled_at__gte=day_start(filters.date_from))
        completed = completed.filter(completed_at__gte=day_start(filters.date_from))
    if filters.date_to:
        end = day_start(filters.date_to + timedelta(days=1))
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
    one of its lessons) and completed it; and how many enrolments there are. From the
    rollup's bits in one query (``_modules_live`` for a course too big for them)."""
    _keys, layout = facts_ready()
    qs = enrolments(scope=scope, filters=filters)
    lesson_bits = rollups.bits(layout, "lessons")
    module_bits = rollups.bits(layout, "modules")
    wanted = [module.key for module in outline.modules] + [
        lesson.key for module in outline.modules for lesson in module.lessons
    ]
    if not all(key in lesson_bits or key in module_bits for key in wanted):
        return _modules_live(qs, outline)
    missing = Q(report_facts__isnull=True)
    masks, totals = {}, {"enrolled": Count("pk")}
    for index, module in enumerate(outline.modules):
        lesson_keys = [UUID(lesson.key) for lesson in module.lessons]
        opened_mask = sum(lesson_bits[lesson.key] for lesson in module.lessons)
        masks[f"opened_{index}"] = F("report_facts__opened").bitand(opened_mask)
        masks[f"done_{index}"] = F("report_facts__modules_done").bitand(module_bits[module.key])
        live = {
            "reached": Exists(
                LessonProgress.objects.filter(enrolment=OuterRef("pk"), lesson_key__in=lesson_keys)
            ),
            "completed": Exists(
                ModuleCompletion.objects.filter(
                    enrolment=OuterRef("pk"), module_key=UUID(module.key)
                )
            ),
        }
        for name, mask in (("reached", f"opened_{index}"), ("completed", f"done_{index}")):
            totals[f"{name}_{index}"] = Sum(
                Case(
                    # An enrolment without a rollup row: from its own rows.
                    When(missing, then=Case(When(live[name], then=Value(1)), default=Value(0))),
                    When(**{f"{mask}__gt": 0}, then=Value(1)),
                    default=Value(0),
                )
            )
    counts = qs.annotate(**masks).aggregate(**totals)
    rows = [
        ModuleRow(
            module.number,
            module.title,
            counts[f"reached_{index}"] or 0,
            counts[f"completed_{index}"] or 0,
        )
        for index, module in enumerate(outline.modules)
    ]
    return counts["enrolled"] or 0, rows


def _modules_live(qs, outline) -> tuple[int, list[ModuleRow]]:
    """``modules`` from the lesson-progress rows and module completions (three queries)."""
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
