"""The manager reports: one view per report, each a page and (with ``?format=csv`` or
``?format=xlsx``) an export of one of its tables, always filtered by the manager's scope."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from courses.models import CoursePage
from courses.selectors import course_outline
from elearning.accounts.models import RoleCategory
from elearning.accounts.scope import manager_scope
from elearning.accounts.views import signed_opt_out
from elearning.organisations.models import County, Organisation

from . import charts, exports, selectors
from .forms import ReportFilterForm
from .tables import Column, Row, Table

REPORTS = [
    ("overview", gettext_lazy("Overview")),
    ("organisations", gettext_lazy("By organisation")),
    ("roles", gettext_lazy("By role")),
    ("months", gettext_lazy("Over time")),
    ("modules", gettext_lazy("By module")),
    ("learners", gettext_lazy("Learners")),
]
PAGE_SIZE = 50
DIGEST_OPT_OUT_SALT = "reports-digest-opt-out"


class Problem(Exception):
    """A filter value the report cannot use (shown as a form error)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _figure_columns() -> list[Column]:
    return [
        Column("enrolled", _("Enrolled"), "int", "enrolled"),
        Column("started", _("Started"), "int", "started"),
        Column("completed", _("Completed"), "int", "completed"),
        Column("completion_rate", _("Completion rate (%)"), "percent", "completion"),
        Column("pass_rate", _("Final test pass rate (%)"), "percent", "pass"),
        Column("mean_score", _("Mean final test score (%)"), "percent", "score"),
        Column("median_days", _("Median days to complete"), "decimal", "days"),
    ]


def _figure_values(f: selectors.Figures) -> list:
    return [
        f.enrolled,
        f.started,
        f.completed,
        f.completion_rate,
        f.pass_rate,
        f.mean_score,
        f.median_days,
    ]


def _sorted(rows: list[Row], sort: str, columns: list[Column]) -> list[Row]:
    """Sort rows in Python (aggregate tables are short); empty values last."""
    if not sort:
        return rows
    index = next(i for i, column in enumerate(columns) if column.sort == sort.lstrip("-"))
    descending = sort.startswith("-")
    present = [row for row in rows if row.values[index] not in (None, "")]
    missing = [row for row in rows if row.values[index] in (None, "")]

    def key(row):
        value = row.values[index]
        return value.lower() if isinstance(value, str) else value

    return sorted(present, key=key, reverse=descending) + missing


def _query(request) -> str:
    params = request.GET.copy()
    for name in ("sort", "page", "format", "table"):
        params.pop(name, None)
    return params.urlencode()


def _scope_names(scope) -> str:
    """The counties and organisations a (non-national) manager follows, for the page."""
    if scope.national:
        return ""
    counties = County.objects.filter(pk__in=scope.county_ids).order_by("name")
    names = [str(county) for county in counties.only("name")]
    names += (
        Organisation.objects.filter(pk__in=scope.organisation_ids)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return ", ".join(names)


def report_view(name: str, *, sort_keys: tuple[str, ...] = (), course_required: bool = False):
    """Access, filters and export around a report's ``build(request, scope, form)``, which
    returns the template context with its ``tables``."""

    def decorator(build):
        @require_GET
        @wraps(build)
        def view(request):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = manager_scope(request.user)
            if scope is None:
                raise PermissionDenied(_("You may not see the reports."))
            # An empty scope is a manager not yet given organisations: their reports are
            # empty (and the comparison rows follow the same rules as for anyone).
            language = translation.get_language()
            form = ReportFilterForm(
                request.GET,
                scope=scope,
                language=language,
                sort_keys=sort_keys,
                course_required=course_required,
            )
            wanted_format = request.GET.get("format", "html")
            exporting = wanted_format in ("csv", "xlsx")
            context = {
                "form": form,
                "report": name,
                "report_links": [(key, label, reverse(f"reports:{key}")) for key, label in REPORTS],
                "title": dict(REPORTS)[name],
                "scope": scope,
                "scope_names": _scope_names(scope),
            }
            result = None
            if form.is_valid():
                try:
                    result = build(request, scope=scope, form=form)
                except Problem as problem:
                    form.add_error(problem.field, str(problem))
            if result is None:
                if exporting:
                    errors = [str(e) for errors in form.errors.values() for e in errors]
                    return HttpResponseBadRequest(
                        " ".join(errors), content_type="text/plain; charset=utf-8"
                    )
                return render(request, "reports/report.html", context, status=400)
            query = _query(request)
            for table in result["tables"]:
                table.query = query
            if exporting:
                wanted = request.GET.get("table") or result["tables"][0].id
                table = next((t for t in result["tables"] if t.id == wanted), None)
                if table is None:
                    return HttpResponseBadRequest(
                        _("This report has no such table."),
                        content_type="text/plain; charset=utf-8",
                    )
                if name == "learners":
                    table.rows = result["all_rows"]()
                filename = f"{name}-{table.id}-{date.today():%Y-%m-%d}"
                respond = exports.csv_response if wanted_format == "csv" else exports.xlsx_response
                return respond(table, filename)
            context.update(result)
            return render(request, f"reports/{name}.html", context)

        return view

    return decorator


def _figures_chart(caption_id: str, labels, rates):
    series = [charts.Series(_("Completion rate (%)"), rates)]
    return {
        "svg": charts.bar_chart(
            caption_id=caption_id, labels=labels, series=series, kind="percent", maximum=100
        ),
        "legend": charts.legend(series),
    }


COURSE_SORTS = ("course", "enrolled", "started", "completed", "completion", "pass", "score", "days")


@report_view("overview", sort_keys=COURSE_SORTS)
def overview(request, *, scope, form):
    filters = form.filters()
    rows, total = selectors.overview(
        scope=scope, filters=filters, language=translation.get_language()
    )
    columns = [Column("course", _("Course"), "text", "course"), *_figure_columns()]
    body = [Row([row.title, *_figure_values(row.figures)]) for row in rows]
    sort = form.cleaned_data["sort"]
    body = _sorted(body, sort, columns)
    table = Table(
        "courses",
        _("Completion per course"),
        columns,
        [*body, Row([_("All courses"), *_figure_values(total)], css="total")],
        sort=sort,
    )
    chart = _figures_chart(
        "chart-courses", [row.title for row in rows], [row.figures.completion_rate for row in rows]
    )
    chart.update(id="chart-courses", caption=_("Completion rate per course"))
    return {"tables": [table], "chart": chart, "total": total}


@report_view("organisations")
def organisations(request, *, scope, form):
    rows = selectors.organisations(scope=scope, filters=form.filters())
    columns = [
        Column("county", _("County")),
        Column("organisation", _("Organisation")),
        *[Column(c.key, c.label, c.kind) for c in _figure_columns()],
    ]
    body = []
    for row in rows:
        if row.kind == "county":
            labels = [row.county, _("All organisations in the county")]
        elif row.kind == "country":
            labels = ["", _("Whole country")]
        else:
            labels = [row.county, row.name or _("No organisation")]
        body.append(
            Row(
                [*labels, *_figure_values(row.figures)],
                labels=2,
                suppressed=row.figures.suppressed,
                hidden=row.figures.hidden,
                css="" if row.kind == "organisation" else "total",
            )
        )
    table = Table("organisations", _("Completion per organisation"), columns, body)
    # The chart draws completion rates: only those the table shows.
    shown = [
        (row, cells)
        for row, cells in zip(rows, body, strict=True)
        if not cells.suppressed and "completion_rate" not in cells.hidden
    ]
    chart = _figures_chart(
        "chart-organisations",
        [
            r.name if r.kind == "organisation" else (r.county or _("Whole country"))
            for r, _row in shown
        ],
        [r.figures.completion_rate for r, _row in shown],
    )
    chart.update(id="chart-organisations", caption=_("Completion rate per organisation"))
    return {"tables": [table], "chart": chart, "withheld": _withheld_note(scope, form, role=True)}


def _withheld_note(scope, form, *, role: bool) -> str:
    """Why the comparison rows show no figures under these filters, or ""."""
    filters = form.filters()
    if scope.national or not (selectors.narrowed(filters) or (role and filters.role)):
        return ""
    if role:
        return _(
            "With a role or a date range chosen, totals that include organisations you do "
            "not follow are not shown: they could be narrowed down to a few learners. "
            "Compare by role in the report “By role”, without a date range."
        )
    return _(
        "With a date range chosen, the whole country is not shown: it could be narrowed "
        "down to a few learners."
    )


def _role_label(value: str) -> str:
    return str(RoleCategory(value).label) if value in RoleCategory.values else _("Not given")


@report_view("roles")
def roles(request, *, scope, form):
    own, country = selectors.roles(scope=scope, filters=form.filters())
    columns = [
        Column("role", _("Role")),
        *[Column(c.key, c.label, c.kind) for c in _figure_columns()],
    ]

    def rows(entries):
        return [
            Row(
                [_role_label(entry.role), *_figure_values(entry.figures)],
                suppressed=entry.figures.suppressed,
                hidden=entry.figures.hidden,
            )
            for entry in entries
        ]

    tables = [Table("roles", _("Completion per role in your organisations"), columns, rows(own))]
    if not scope.national:
        tables.append(
            Table("country", _("Completion per role in the whole country"), columns, rows(country))
        )
    return {"tables": tables, "withheld": _withheld_note(scope, form, role=False)}


@report_view("months")
def months(request, *, scope, form):
    rows = selectors.months(scope=scope, filters=form.filters())
    columns = [
        Column("month", _("Month"), "month"),
        Column("enrolled", _("Enrolments"), "int"),
        Column("completed", _("Completions"), "int"),
    ]
    table = Table(
        "months",
        _("Enrolments and completions per month"),
        columns,
        [Row([row.month, row.enrolled, row.completed]) for row in rows],
    )
    from .tables import display

    series = [
        charts.Series(_("Enrolments"), [row.enrolled for row in rows]),
        charts.Series(_("Completions"), [row.completed for row in rows]),
    ]
    chart = {
        "svg": charts.bar_chart(
            caption_id="chart-months",
            labels=[display(row.month, "month") for row in rows],
            series=series,
        ),
        "legend": charts.legend(series),
        "id": "chart-months",
        "caption": _("Enrolments and completions per month"),
    }
    return {"tables": [table], "chart": chart}


@report_view("modules", course_required=True)
def modules(request, *, scope, form):
    filters = form.filters()
    course = None
    if filters.course_key:
        language = translation.get_language()
        pages = CoursePage.objects.filter(translation_key=filters.course_key)
        course = pages.filter(locale__language_code=language).first() or pages.first()
    columns = [
        Column("module", _("Module")),
        Column("reached", _("Reached"), "int"),
        # xgettext:no-python-format
        Column("reached_rate", _("Reached (% of enrolled)"), "percent"),
        Column("completed", _("Completed"), "int"),
        # xgettext:no-python-format
        Column("completion_rate", _("Completed (% of those who reached it)"), "percent"),
    ]
    enrolled, rows = 0, []
    if course is not None:
        enrolled, rows = selectors.modules(
            scope=scope, filters=filters, outline=course_outline(course=course, request=request)
        )
    body = [
        Row(
            [
                f"{row.number}. {row.title}",
                row.reached,
                100 * row.reached / enrolled if enrolled else None,
                row.completed,
                row.completion_rate,
            ]
        )
        for row in rows
    ]
    title = course.title if course else ""
    table = Table(
        "modules",
        _("Learners reaching and completing each module of %(course)s") % {"course": title},
        columns,
        body,
    )
    series = [
        charts.Series(_("Reached"), [row.reached for row in rows]),
        charts.Series(_("Completed"), [row.completed for row in rows]),
    ]
    chart = {
        "svg": charts.bar_chart(
            caption_id="chart-modules",
            labels=[f"{row.number}. {row.title}" for row in rows],
            series=series,
        ),
        "legend": charts.legend(series),
        "id": "chart-modules",
        "caption": _("Where learners drop off: reached and completed per module"),
    }
    return {"tables": [table], "chart": chart, "course": course, "enrolled": enrolled}


LEARNER_VALUES = (
    "user_id",
    "user__first_name",
    "user__last_name",
    "user__email",
    "organisation__name",
    "role_category",
    "course_key",
    "status_order",
    "lessons_done",
    "last_activity_at",
    "score",
    "certificate_issued_at",
)
STATUS_LABELS = {
    0: gettext_lazy("Not started"),
    1: gettext_lazy("In progress"),
    2: gettext_lazy("Course completed"),
    3: gettext_lazy("Left the course"),
}


@report_view("learners", sort_keys=tuple(selectors.LEARNER_SORTS))
def learners(request, *, scope, form):
    sort = form.cleaned_data["sort"] or "name"
    # Plain values, not model instances: building three instances per row cost most of an
    # export's time (7 s of 9 s for 68,000 rows).
    qs = selectors.learners(scope=scope, filters=form.filters(), sort=sort).values(*LEARNER_VALUES)
    # An export streams every row (``all_rows``): no page, so no count of the rows first.
    exporting = request.GET.get("format") in ("csv", "xlsx")
    page = None
    if not exporting:
        paginator = Paginator(qs, PAGE_SIZE)
        number = form.cleaned_data["page"]
        if number > max(paginator.num_pages, 1):
            raise Problem("page", _("There is no page %(number)s.") % {"number": number})
        page = paginator.get_page(number)
    titles = selectors.course_titles(
        CoursePage.objects.values_list("translation_key", flat=True), translation.get_language()
    )
    totals = selectors.lesson_totals(titles)
    columns = [
        Column("name", _("Name"), "text", "name"),
        Column("organisation", _("Organisation"), "text", "organisation"),
        Column("role", _("Role"), "text", "role"),
        Column("course", _("Course"), "text", "course"),
        Column("status", _("Status"), "text", "status"),
        Column("progress", _("Progress (%)"), "percent", "progress"),
        Column("activity", _("Last activity"), "datetime", "activity"),
        Column("score", _("Final test score (%)"), "percent", "score"),
        Column("certificate", _("Certificate issued"), "datetime"),
    ]

    # Labels looked up once: per row, the enum's choices and the translation cost 45 µs.
    deleted = _("Deleted account")
    statuses = {key: str(label) for key, label in STATUS_LABELS.items()}
    role_labels = {value: str(label) for value, label in RoleCategory.choices}
    no_role = str(_("Not given"))

    def row(enrolment: dict) -> Row:
        if enrolment["user_id"] is None:
            name = deleted
        else:
            full = f"{enrolment['user__first_name']} {enrolment['user__last_name']}".strip()
            name = full or enrolment["user__email"]
        total = totals.get(enrolment["course_key"], 0)
        done = enrolment["lessons_done"] or 0
        return Row(
            [
                name,
                enrolment["organisation__name"] or "",
                role_labels.get(enrolment["role_category"], no_role),
                titles.get(enrolment["course_key"], ""),
                statuses[enrolment["status_order"]],
                100 * min(done, total) / total if total else None,
                enrolment["last_activity_at"],
                enrolment["score"],
                enrolment["certificate_issued_at"],
            ]
        )

    table = Table(
        "learners",
        _("Learners in your organisations"),
        columns,
        [row(enrolment) for enrolment in page.object_list] if page is not None else [],
        sort=sort,
    )
    query = _query(request)
    if form.cleaned_data["sort"]:
        query = "&".join(part for part in (query, f"sort={sort}") if part)
    return {
        "tables": [table],
        "page_obj": page,
        "page_query": query,
        "all_rows": lambda: _streamed(qs, row),
    }


def _streamed(qs, row):
    """The rows of ``qs`` as the database sends them, inside a transaction: outside one,
    Django declares the cursor WITH HOLD and PostgreSQL computes the whole result before it
    sends the first row (2.3 s for 136,000 rows here)."""
    with transaction.atomic():
        for values in qs.iterator(chunk_size=2000):
            yield row(values)


@require_http_methods(["GET", "POST"])
def digest_opt_out(request, token):
    """Stop the monthly report digest from the link in one, without signing in."""
    return signed_opt_out(
        request,
        token,
        salt=DIGEST_OPT_OUT_SALT,
        field="digest_opt_out",
        template="reports/digest_opt_out.html",
    )
