"""What the wrapper page needs to play a package lesson for the person viewing it."""

from django.conf import settings
from django.urls import reverse

from .access import is_enrolled, may_play
from .hosts import site_origin
from .services import record_of
from .tokens import token_issue


def player_context(lesson, request) -> dict | None:
    user = request.user
    if lesson.package_id is None or not user.is_authenticated or not may_play(user, lesson):
        return None
    token = token_issue(user=user, lesson=lesson, site_origin=site_origin(request))
    package = lesson.package
    record = None
    if is_enrolled(user, lesson):
        from courses.models import CoursePage
        from progress.models import Enrolment

        course = CoursePage.objects.ancestor_of(lesson).first()
        enrolment = Enrolment.objects.filter(
            user=user, course_key=course.translation_key, left_at__isnull=True
        ).first()
        record = record_of(enrolment, lesson)
    parts = []
    for index, sco in enumerate(package.scos):
        url = settings.PACKAGES_ORIGIN + reverse("packages:launch", args=[lesson.pk, token, index])
        parts.append({**sco, "index": index, "url": url})
    by_identifier = {part["identifier"]: part for part in parts}
    outline = []
    for entry in package.manifest.get("outline", package.scos):
        if entry.get("group"):
            outline.append(entry)
        else:
            part = dict(by_identifier[entry["identifier"]])
            stored = (record.cmi if record else {}).get(part["identifier"], {})
            part["done"] = stored.get("cmi.core.lesson_status") in (
                "completed",
                "passed",
                "failed",
            ) or (stored.get("cmi.completion_status") == "completed")
            outline.append(part)
    from .views import _status_message

    message = ""
    if record is not None:
        from progress.models import LessonProgress

        done = LessonProgress.objects.filter(
            enrolment=record.enrolment,
            lesson_key=lesson.translation_key,
            completed_at__isnull=False,
        ).exists()
        message = _status_message(record, done)
    return {
        "parts": parts,
        "outline": outline,
        "packages_origin": settings.PACKAGES_ORIGIN,
        "commit_url": reverse("package_commit", args=[lesson.pk]),
        "message": message,
    }
