"""The learner list (individuals in the scope only) and the choices of the filter form."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import (
    Case,
    DateTimeField,
    F,
    QuerySet,
    Value,
    When,
)

from courses.models import CoursePage, LessonPage
from elearning.accounts.scope import ManagerScope
from elearning.organisations.models import County, Organisation
from progress.selectors import enrolment_annotations

from .figures import Filters, enrolments, facts, final_keys_current

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
    keys = final_keys_current()
    qs = enrolments(scope=scope, filters=filters).annotate(
        **facts(keys, "f_done", "f_best", "f_started"),
    )
    qs = qs.annotate(
        lessons_done=F("f_done"),
        score=F("f_best"),
        # From the certificates app through progress (null when it is not installed).
        **{"certificate_issued_at": Value(None, output_field=DateTimeField())}
        | enrolment_annotations("certificate_issued_at"),
        status_order=Case(
            When(left_at__isnull=False, then=Value(3)),
            When(completed_at__isnull=False, then=Value(2)),
            When(f_started=True, then=Value(1)),
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
