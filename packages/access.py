"""Who may play a package lesson: learners enrolled in its course, and staff."""

from courses.models import CoursePage, LessonPage
from progress.models import Enrolment

from .models import H5PLessonPage, PackageLessonPage

LESSON_MODELS = (PackageLessonPage, H5PLessonPage)


def package_lesson(lesson_id, *, live_only=True):
    """The package lesson with this page id, or None."""
    page = LessonPage.objects.filter(pk=lesson_id).first()
    if page is None:
        return None
    page = page.specific
    if not isinstance(page, LESSON_MODELS) or page.package_id is None:
        return None
    if live_only and not page.live:
        return None
    return page


def is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("wagtailadmin.access_admin")


def is_enrolled(user, lesson) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    course = CoursePage.objects.ancestor_of(lesson).first()
    return (
        course is not None
        and Enrolment.objects.filter(
            user=user, course_key=course.translation_key, left_at__isnull=True
        ).exists()
    )


def may_play(user, lesson) -> bool:
    return is_enrolled(user, lesson) or is_staff(user)
