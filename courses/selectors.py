"""Reads of the course tree for pages: a fixed number of queries however many modules and
lessons a course has, and only live, public pages (a draft never reaches a learner)."""

from dataclasses import dataclass, field

from wagtail.models import Page

from elearning.core.pagecache import cached, versioned_get, versioned_set

from .caching import outline_version
from .models import CoursePage, LessonPage, ModulePage, QuizPage

# Part of the cache key: bump when the dataclasses below change shape, so an outline pickled
# by an older release is never read back.
OUTLINE_SCHEMA = 3


@dataclass
class LessonEntry:
    id: int
    key: str  # translation_key: the same lesson in every language
    title: str
    url: str
    minutes: int
    number: int  # 1-based position in the whole course


@dataclass
class QuizEntry:
    id: int
    key: str
    title: str
    url: str


@dataclass
class ModuleEntry:
    id: int
    key: str
    title: str
    url: str
    summary: str
    number: int
    lessons: list[LessonEntry] = field(default_factory=list)
    quizzes: list[QuizEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        """Sum of the module's lesson estimates."""
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass
class Outline:
    """A course's live modules and lessons in tree order."""

    modules: list[ModuleEntry]
    final_tests: list[QuizEntry] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonEntry]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def minutes(self) -> int:
        return sum(module.minutes for module in self.modules)

    def module(self, module_id: int) -> ModuleEntry | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def neighbours(self, lesson_id: int) -> tuple[LessonEntry | None, LessonEntry | None]:
        """The lessons before and after ``lesson_id`` across module boundaries."""
        lessons = self.lessons
        for index, lesson in enumerate(lessons):
            if lesson.id == lesson_id:
                before = lessons[index - 1] if index > 0 else None
                after = lessons[index + 1] if index + 1 < len(lessons) else None
                return before, after
        return None, None


def course_outline(*, course: CoursePage, request=None) -> Outline:
    """The outline of ``course``, from the cache while no page of the course has been
    published, unpublished, moved or deleted since it was built (see caching.py)."""
    key = f"courses:outline:{OUTLINE_SCHEMA}:{course.pk}:{outline_version(course.pk)}"
    outline = versioned_get(key)
    if outline is None:
        outline = _course_outline_build(course=course, request=request)
        versioned_set(key, outline, timeout=24 * 60 * 60)
    return outline


def _course_outline_build(*, course: CoursePage, request=None) -> Outline:
    """Three page queries (modules, lessons, quizzes) plus Wagtail's cached site-root lookup
    for the addresses; only live, public pages."""
    modules = list(
        ModulePage.objects.live().public().child_of(course).order_by("path")
        .only("id", "translation_key", "title", "path", "url_path", "summary", "depth")
    )  # fmt: skip
    lessons = (
        LessonPage.objects.live().public().descendant_of(course).order_by("path")
        .only("id", "translation_key", "title", "path", "url_path", "estimated_minutes", "depth")
    )  # fmt: skip
    entries = [
        ModuleEntry(m.id, str(m.translation_key), m.title, m.get_url(request), m.summary, number)
        for number, m in enumerate(modules, start=1)
    ]
    by_path = {m.path: entry for m, entry in zip(modules, entries, strict=True)}
    number = 0
    for lesson in lessons:
        module = by_path.get(lesson.path[: Page.steplen * (course.depth + 1)])
        if module is None:  # under an unpublished module: not reachable by learners
            continue
        number += 1
        module.lessons.append(
            LessonEntry(
                lesson.id,
                str(lesson.translation_key),
                lesson.title,
                lesson.get_url(request),
                lesson.estimated_minutes,
                number,
            )
        )
    final_tests = []
    for quiz in (
        QuizPage.objects.live().public().descendant_of(course).order_by("path")
        .only("id", "translation_key", "title", "path", "url_path", "depth")
    ):  # fmt: skip
        entry = QuizEntry(quiz.id, str(quiz.translation_key), quiz.title, quiz.get_url(request))
        if quiz.depth == course.depth + 1:
            final_tests.append(entry)
        elif (module := by_path.get(quiz.path[: Page.steplen * (course.depth + 1)])) is not None:
            module.quizzes.append(entry)
    return Outline(entries, final_tests)


def course_of_page(page) -> CoursePage | None:
    """The course ``page`` belongs to (the page itself for a course), cached until a page
    changes (``elearning.core.pagecache``); for serving pages, which read it on every view."""
    found = cached(
        f"courses:course-of:{page.pk}",
        lambda: CoursePage.objects.ancestor_of(page, inclusive=True).first() or _NO_COURSE,
    )
    return None if found == _NO_COURSE else found


_NO_COURSE = "-"


def catalogue_courses(*, catalogue, audience: str | None = None) -> list[CoursePage]:
    """Live courses of the catalogue, optionally only those for ``audience``; each gets
    ``total_minutes``: its own estimate, or else the sum of its live lessons' estimates.
    Cached until a page changes (``elearning.core.pagecache``): the same for everyone."""
    return cached(
        f"courses:catalogue:{catalogue.pk}:{audience or ''}",
        lambda: _catalogue_courses(catalogue=catalogue, audience=audience),
    )


def _catalogue_courses(*, catalogue, audience: str | None = None) -> list[CoursePage]:
    courses = list(CoursePage.objects.live().public().child_of(catalogue).order_by("path"))
    if audience:
        courses = [course for course in courses if audience in (course.audiences or [])]
    lesson_minutes: dict[str, int] = {}
    for path, minutes in (
        LessonPage.objects.live().descendant_of(catalogue).values_list("path", "estimated_minutes")
    ):
        key = path[: Page.steplen * (catalogue.depth + 1)]
        lesson_minutes[key] = lesson_minutes.get(key, 0) + minutes
    for course in courses:
        course.total_minutes = course.estimated_minutes or lesson_minutes.get(course.path, 0)
    return courses
