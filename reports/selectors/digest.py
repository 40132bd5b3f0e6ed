"""The monthly digest's figures for one manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    Q,
)

from elearning.accounts.scope import ManagerScope, counted_enrolment_q
from progress.models import Enrolment

from .figures import course_titles, day_start


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
    month = Q(enrolled_at__gte=day_start(start), enrolled_at__lt=day_start(end))
    done_in_month = Q(completed_at__gte=day_start(start), completed_at__lt=day_start(end))
    rows = (
        Enrolment.objects.filter(
            scope.enrolment_q(), counted_enrolment_q(), enrolled_at__lt=day_start(end)
        )
        .values("course_key")
        .annotate(
            enrolled=Count("pk"),
            enrolled_in_month=Count("pk", filter=month),
            completed=Count("pk", filter=Q(completed_at__lt=day_start(end))),
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
