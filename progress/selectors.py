"""Reads of progress for pages: a fixed number of queries whatever the number of courses,
modules or lessons."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.selectors import LessonEntry, Outline
from elearning.core.pagecache import cached

from .models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion

# What other apps know about enrolments, shown beside progress (the certificates app: the
# current certificate) without progress importing them. Each function takes enrolments and
# returns {enrolment id: value} in a fixed number of queries.
_enrolment_extras: dict[str, Callable[[list[Enrolment]], dict[int, object]]] = {}
# Query expressions other apps let readers of enrolments annotate with (reports' learner list
# shows when the certificate was issued): name -> function returning an expression that can
# refer to the enrolment as OuterRef("pk").
_enrolment_annotations: dict[str, Callable[[], object]] = {}


def enrolment_extra_register(name: str, function: Callable[[list], dict[int, object]]) -> None:
    """Let ``function(enrolments)`` add ``name`` to dashboard entries and course progress."""
    _enrolment_extras[name] = function


def enrolment_extras(enrolments) -> dict[int, dict[str, object]]:
    """Enrolment id -> {name: value} from every registered extra."""
    enrolments = list(enrolments)
    result: dict[int, dict[str, object]] = {enrolment.pk: {} for enrolment in enrolments}
    for name, function in _enrolment_extras.items():
        for enrolment_id, value in function(enrolments).items():
            result.setdefault(enrolment_id, {})[name] = value
    return result


def enrolment_annotation_register(name: str, expression: Callable[[], object]) -> None:
    """Offer ``expression()`` as the annotation ``name`` to readers of enrolments."""
    _enrolment_annotations[name] = expression


def enrolment_annotations(*names: str) -> dict[str, object]:
    """The registered annotations among ``names`` (a name nobody registered is left out, so
    readers show it empty)."""
    return {
        name: _enrolment_annotations[name]() for name in names if name in _enrolment_annotations
    }


def enrolment_active(*, user, course: CoursePage) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(
        user=user, course_key=course.translation_key, left_at__isnull=True
    ).first()


def completed_lesson_keys(enrolment: Enrolment) -> set[str]:
    return {
        str(key)
        for key in LessonProgress.objects.filter(
            enrolment=enrolment, completed_at__isnull=False
        ).values_list("lesson_key", flat=True)
    }


@dataclass
class CourseProgress:
    """A learner's progress through a course's current outline."""

    enrolment: Enrolment
    done: set[str]  # translation keys of completed lessons
    total: int  # live lessons in the course now
    next_lesson: LessonEntry | None  # where "continue" leads
    modules_done: set[str] = field(default_factory=set)
    extras: dict = field(default_factory=dict)  # from other apps, see enrolment_extras

    @property
    def certificate(self):
        """The current certificate, once the course is completed (the certificates app)."""
        return self.extras.get("certificate")

    @property
    def count_done(self) -> int:
        return len(self.done)

    @property
    def done_digest(self) -> str:
        """Names the set of done lessons, for fragment cache keys: a page fragment that shows
        done marks is cached per set, never per learner, so it is never another learner's
        nor older than the learner's last completion."""
        return hashlib.sha256(",".join(sorted(self.done)).encode()).hexdigest()[:32]

    @property
    def percent(self) -> int:
        return round(100 * self.count_done / self.total) if self.total else 0

    @property
    def completed(self) -> bool:
        return self.enrolment.completed_at is not None


def _next_lesson(lessons: list[LessonEntry], done: set[str], last_key: str | None):
    """The lesson to continue with: the last one opened if it is unfinished, else the first
    unfinished lesson after it, else the first unfinished one at all."""
    start = next((i for i, lesson in enumerate(lessons) if lesson.key == last_key), 0)
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.key not in done:
            return lesson
    return None


def course_progress(*, enrolment: Enrolment, outline: Outline) -> CourseProgress:
    """Two queries: completed lessons and completed modules."""
    lessons = outline.lessons
    current = {lesson.key for lesson in lessons}
    done = completed_lesson_keys(enrolment) & current
    modules_done = {
        str(key)
        for key in ModuleCompletion.objects.filter(enrolment=enrolment).values_list(
            "module_key", flat=True
        )
    }
    last = str(enrolment.last_lesson_key) if enrolment.last_lesson_key else None
    return CourseProgress(
        enrolment=enrolment,
        done=done,
        total=len(lessons),
        next_lesson=_next_lesson(lessons, done, last),
        modules_done=modules_done,
        extras=enrolment_extras([enrolment])[enrolment.pk],
    )


@dataclass
class DashboardEntry:
    course: CoursePage
    enrolment: Enrolment
    total: int
    done: int
    next_url: str | None
    next_title: str | None
    extras: dict = field(default_factory=dict)  # from other apps, see enrolment_extras

    @property
    def certificate(self):
        return self.extras.get("certificate")

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def dashboard(
    *, user, language: str, request=None
) -> tuple[list[DashboardEntry], list[DashboardEntry]]:
    """The learner's courses in ``language``: (in progress, completed). Two queries however
    many courses and lessons (enrolments, completed lessons) while the courses and their
    lessons come from the cache; two more when they do not."""
    enrolments = list(
        Enrolment.objects.filter(user=user, left_at__isnull=True).order_by("-last_activity_at")
    )
    if not enrolments:
        return [], []
    courses, lessons_by_course = _dashboard_courses(
        sorted({e.course_key for e in enrolments}), language
    )
    if not courses:
        return [], []
    done: dict[int, set] = {}
    for enrolment_id, lesson_key in LessonProgress.objects.filter(
        enrolment__in=enrolments, completed_at__isnull=False
    ).values_list("enrolment_id", "lesson_key"):
        done.setdefault(enrolment_id, set()).add(lesson_key)

    extras = enrolment_extras(enrolments)
    in_progress, completed = [], []
    for enrolment in enrolments:
        course = courses.get(enrolment.course_key)
        if course is None:
            continue
        course_lessons = lessons_by_course[enrolment.course_key]
        finished = done.get(enrolment.id, set())
        entries = [
            LessonEntry(lesson.id, str(lesson.translation_key), lesson.title, "", 0, n)
            for n, lesson in enumerate(course_lessons, 1)
        ]
        nxt = _next_lesson(
            entries,
            {str(k) for k in finished},
            str(enrolment.last_lesson_key) if enrolment.last_lesson_key else None,
        )
        next_page = next((lesson for lesson in course_lessons if nxt and lesson.id == nxt.id), None)
        entry = DashboardEntry(
            course=course,
            enrolment=enrolment,
            total=len(course_lessons),
            done=sum(1 for lesson in course_lessons if lesson.translation_key in finished),
            next_url=next_page.get_url(request) if next_page else None,
            next_title=next_page.title if next_page else None,
            extras=extras[enrolment.pk],
        )
        (completed if enrolment.completed_at else in_progress).append(entry)
    return in_progress, completed


def _dashboard_courses(course_keys: list, language: str) -> tuple[dict, dict]:
    """The live courses with these translation keys in ``language`` and each one's live,
    public lessons in order: the same for every learner enrolled in them, so cached until a
    page changes (``elearning.core.pagecache``)."""
    digest = hashlib.sha256(",".join(str(key) for key in course_keys).encode()).hexdigest()
    return cached(
        f"progress:dashboard-courses:{language}:{digest}",
        lambda: _dashboard_courses_build(course_keys, language),
    )


def _dashboard_courses_build(course_keys: list, language: str) -> tuple[dict, dict]:
    courses = {
        course.translation_key: course
        for course in CoursePage.objects.live()
        .filter(translation_key__in=course_keys, locale__language_code=language)
        .order_by("path")
    }
    lessons_by_course: dict = {key: [] for key in courses}
    if not courses:
        return courses, lessons_by_course
    paths = Q()
    for course in courses.values():
        paths |= Q(path__startswith=course.path)
    by_path = {course.path: key for key, course in courses.items()}
    lessons = (
        LessonPage.objects.live().public().filter(paths).order_by("path")
        .only("id", "translation_key", "title", "path", "url_path", "depth")
    )  # fmt: skip
    for lesson in lessons:
        key = by_path[lesson.path[: Page.steplen * (lesson.depth - 2)]]
        lessons_by_course[key].append(lesson)
    return courses, lessons_by_course


# Per-enrolment sections other apps add to the learner's download (quizzes: the attempts):
# name -> function(enrolments) -> {enrolment id: JSON-ready value}.
_enrolment_data: dict[str, Callable[[list[Enrolment]], dict[int, object]]] = {}


def enrolment_data_register(name: str, function: Callable[[list], dict[int, object]]) -> None:
    """Add ``name`` to each enrolment in the learner's download."""
    _enrolment_data[name] = function


def learner_enrolments_data(user) -> list[dict]:
    """The learner's enrolments with their progress and learning events, for their download
    (GDPR art. 15 and 20; registered with ``elearning.accounts.personal_data``)."""
    enrolments = list(
        Enrolment.objects.filter(user=user).prefetch_related("lessons", "modules", "events")
    )
    sections = {name: function(enrolments) for name, function in _enrolment_data.items()}
    return [
        {
            "course_key": str(e.course_key),
            "course": e.course.title if e.course else None,
            "registration": str(e.registration),
            "enrolled_at": e.enrolled_at.isoformat(),
            "left_at": e.left_at.isoformat() if e.left_at else None,
            "completed_at": e.completed_at.isoformat() if e.completed_at else None,
            "completion_rule": e.completion_rule,
            "lessons": [
                {
                    "lesson_key": str(p.lesson_key),
                    "first_viewed_at": p.first_viewed_at.isoformat(),
                    "completed_at": p.completed_at.isoformat() if p.completed_at else None,
                    "time_spent_seconds": p.time_spent_seconds,
                }
                for p in e.lessons.all()
            ],
            "modules": [
                {"module_key": str(m.module_key), "completed_at": m.completed_at.isoformat()}
                for m in e.modules.all()
            ],
            **{name: values.get(e.pk, []) for name, values in sections.items()},
            "events": [
                {
                    "kind": ev.kind,
                    "occurred_at": ev.occurred_at.isoformat(),
                    "object_key": str(ev.object_key),
                    "language": ev.language,
                    "details": _event_details(ev),
                }
                for ev in e.events.all()
            ],
        }
        for e in enrolments
    ]


# What a question_answered event says about one answer being right, and the statement's copy
# of the question ("interaction": its correct answers). The quiz's review policy decides when a
# learner may know that (docs/quizzes.md); the quizzes app's own section of the download
# ("attempts") carries it once allowed, so the events never do.
_ANSWER_RESULT = ("correct", "points", "interaction")


def _event_details(event):
    details = event.details
    if event.kind != LearningEvent.Kind.QUESTION_ANSWERED or not isinstance(details, dict):
        return details
    return {key: value for key, value in details.items() if key not in _ANSWER_RESULT}
