"""The claim a certificate makes, built once at issue and signed; never recomputed."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from courses.models import CoursePage, QuizPage
from courses.selectors import course_outline

CLAIM_TYPE = "certificate-of-completion"
CLAIM_VERSION = 1


def verification_url(code: str, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("certificate_verify", kwargs={"code": code})


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def course_in(course: CoursePage, language: str) -> CoursePage:
    """The course's live translation in ``language``, else the course as enrolled."""
    translated = (
        CoursePage.objects.live()
        .filter(translation_key=course.translation_key, locale__language_code=language)
        .first()
    )
    return translated or course


def final_test_score(enrolment, course: CoursePage) -> int | None:
    """Best passing percentage on the course's final test(s); None where it has none."""
    from quizzes.models import Attempt

    keys = list(QuizPage.objects.child_of(course).values_list("translation_key", flat=True))
    if not keys:
        return None
    best = (
        Attempt.objects.filter(enrolment=enrolment, placement_key__in=keys, passed=True)
        .order_by("-percent")
        .values_list("percent", flat=True)
        .first()
    )
    return None if best is None else round(best)


def claim_build(*, enrolment, course: CoursePage, code: str, issued_at, issuer: str) -> dict:
    """Everything the certificate says, in plain JSON values (no floats: signed bytes must be
    the same wherever the claim is serialised)."""
    user = enrolment.user
    language = user.preferred_language if user.preferred_language in ("sv", "en") else "sv"
    shown = course_in(course, language)
    minutes = shown.estimated_minutes or course_outline(course=shown).minutes
    completed_on = timezone.localdate(enrolment.completed_at)  # the learner's calendar day
    months = course.certificate_validity_months
    return {
        "type": CLAIM_TYPE,
        "version": CLAIM_VERSION,
        "code": code,
        "learner": {"name": user.get_full_name() or user.email},
        "course": {
            "key": str(course.translation_key),
            "title": shown.title,
            # The published revision the learner completed against.
            "revision": shown.live_revision_id,
            "estimated_minutes": minutes,
        },
        "completed_on": completed_on.isoformat(),
        "score_percent": final_test_score(enrolment, course),
        "issuer": {"name": issuer, "url": settings.SITE_URL},
        "language": language,
        "issued_at": issued_at.replace(microsecond=0).isoformat(),
        "expires_on": add_months(completed_on, months).isoformat() if months else None,
        "verification_url": verification_url(code, language),
    }


def claim_language(claim: dict) -> str:
    return claim.get("language") or Locale.get_default().language_code
