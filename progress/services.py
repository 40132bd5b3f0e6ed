"""Writes to progress: enrolment, lesson progress, module and course completion.

Each transition happens once: the enrolment row is locked (``select_for_update``) before the
old state is read, only a change is acted on, and the learning event is written in the same
transaction as the change. Double clicks and parallel requests therefore produce one
completion and one event.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage, ModulePage, QuizPage
from elearning.core.pagecache import cached

from .activities import placements_passed
from .events import event_record, events_record
from .models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion

# Time on a lesson is counted between two sightings by the server; a longer gap than this
# (or twice the lesson's estimate, if longer) counts as this much: the learner was away.
GAP_CAP = timedelta(minutes=10)
# A lesson view writes its sighting only when this much has passed since the last one (and
# the enrolment's last activity likewise): repeated views within it write nothing. Time spent
# and the last activity therefore lag by at most this step; the resume point never lags (a
# view of another lesson writes it at once). One minute: reports show time in minutes and
# inactivity in days, and ten GETs a minute from a learner cost one UPDATE.
VIEW_STEP = timedelta(minutes=1)


class ProgressError(Exception):
    """An action on progress was refused; the message can be shown to the learner."""


@dataclass
class CompletionOutcome:
    """What a lesson completion led to."""

    lesson_completed: bool = False
    modules_completed: list[ModulePage] = field(default_factory=list)
    course_completed: bool = False


def _event(enrolment, kind, page, *, at, details=None) -> LearningEvent:
    """Write the learning event and publish it to the subscribers (the xAPI outbox among
    them), in the caller's transaction."""
    return event_record(enrolment=enrolment, kind=kind, page=page, at=at, details=details)


def course_of(page) -> CoursePage:
    course = CoursePage.objects.ancestor_of(page, inclusive=True).first()
    if course is None:
        raise ProgressError(_("This page is not part of a course."))
    return course


@transaction.atomic
def enrolment_create(*, user, course: CoursePage, enrolled_by=None) -> tuple[Enrolment, bool]:
    """Enrol ``user`` in ``course`` (or re-enrol after leaving); returns (enrolment, created).
    Enrolling twice, also in parallel, gives one enrolment and one event."""
    now = timezone.now()
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course_key=course.translation_key)
        .first()
    )
    if enrolment is not None:
        if enrolment.left_at is None:
            return enrolment, False
        enrolment.left_at = None
        enrolment.last_activity_at = now
        enrolment.save(update_fields=["left_at", "last_activity_at"])
        _event(enrolment, LearningEvent.Kind.ENROLLED, course, at=now, details={"rejoined": True})
        return enrolment, True
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user,
                course_key=course.translation_key,
                course=course,
                organisation=user.organisation,
                role_category=user.role_category,
                enrolled_at=now,
                enrolled_by=enrolled_by,
                last_activity_at=now,
            )
    except IntegrityError:
        # A parallel request enrolled the learner first.
        return Enrolment.objects.get(user=user, course_key=course.translation_key), False
    details = {"enrolled_by_administrator": True} if enrolled_by and enrolled_by != user else {}
    _event(enrolment, LearningEvent.Kind.ENROLLED, course, at=now, details=details)
    return enrolment, True


def enrolment_locked(
    *, user, course: CoursePage | None = None, course_key=None, annotations=None
) -> Enrolment:
    """The learner's active enrolment in ``course`` (or in the course whose translation_key
    is ``course_key``, which spares loading the page), locked for this transaction.
    ``annotations`` (with ``course_key``): expressions read in the same query, for what the
    caller needs of other tables and may read in the lock's snapshot (not what a parallel
    transaction holding the lock could change: that is read after the lock)."""
    if course is not None:
        return _locked_enrolment(user=user, course=course)
    if not user.is_authenticated:
        raise ProgressError(_("Sign in to take the course."))
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(user=user, course_key=course_key, left_at__isnull=True)
        .annotate(**(annotations or {}))
        .first()
    )
    if enrolment is None:
        raise ProgressError(_("You are not enrolled in this course."))
    return enrolment


def _locked_enrolment(*, user, course: CoursePage) -> Enrolment:
    if not user.is_authenticated:
        raise ProgressError(_("Sign in to take the course."))
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course_key=course.translation_key, left_at__isnull=True)
        .first()
    )
    if enrolment is None:
        raise ProgressError(_("You are not enrolled in this course."))
    return enrolment


@transaction.atomic
def enrolment_leave(*, user, course: CoursePage) -> Enrolment:
    """Leave a course; progress is kept in case the learner comes back."""
    enrolment = _locked_enrolment(user=user, course=course)
    now = timezone.now()
    enrolment.left_at = now
    enrolment.save(update_fields=["left_at"])
    _event(enrolment, LearningEvent.Kind.LEFT, course, at=now)
    return enrolment


def _gap_seconds(last_seen_at, lesson: LessonPage, now) -> int:
    """Seconds to count between two sightings: the gap, capped (the learner was away)."""
    gap = now - last_seen_at
    cap = max(GAP_CAP, timedelta(minutes=2 * lesson.estimated_minutes))
    return int(min(gap, cap).total_seconds()) if gap > timedelta(0) else 0


def _count_time(progress: LessonProgress, lesson: LessonPage, now) -> None:
    progress.time_spent_seconds += _gap_seconds(progress.last_seen_at, lesson, now)
    progress.last_seen_at = now


def _touch(enrolment: Enrolment, lesson: LessonPage, now) -> LessonProgress:
    """Progress row for the lesson (created on first sight), time counted, resume point set.
    The caller holds the enrolment's lock (a state change: completion, first view)."""
    progress, created = LessonProgress.objects.get_or_create(
        enrolment=enrolment,
        lesson_key=lesson.translation_key,
        defaults={"lesson": lesson, "first_viewed_at": now, "last_seen_at": now},
    )
    if created:
        _event(enrolment, LearningEvent.Kind.LESSON_STARTED, lesson, at=now)
    else:
        _count_time(progress, lesson, now)
        progress.save(update_fields=["time_spent_seconds", "last_seen_at"])
    enrolment.last_lesson_key = lesson.translation_key
    enrolment.last_activity_at = now
    enrolment.reminder_sent_at = None
    enrolment.save(update_fields=["last_lesson_key", "last_activity_at", "reminder_sent_at"])
    return progress


def _enrolment_touch(enrolment: Enrolment, lesson: LessonPage, now) -> None:
    """Set the resume point and the last activity without a lock: written only when the
    resume point moves, a reminder is to be cleared, or VIEW_STEP has passed since the last
    activity, so views within the step write nothing."""
    key = lesson.translation_key
    last = enrolment.last_activity_at
    fresh = last is not None and now - last < VIEW_STEP
    if enrolment.last_lesson_key == key and enrolment.reminder_sent_at is None and fresh:
        return
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_lesson_key=key, last_activity_at=now, reminder_sent_at=None
    )
    if enrolment.last_lesson_key != key:
        from .pagecache import learner_changed  # the resume point shows on the course page

        learner_changed(enrolment.user_id)
    enrolment.last_lesson_key, enrolment.last_activity_at = key, now
    enrolment.reminder_sent_at = None


def lesson_view(*, user, lesson: LessonPage, course: CoursePage | None = None) -> LessonProgress:
    """The learner opened the lesson: the first view starts it (under the enrolment's lock,
    with its event); a later view counts the time since the last sighting, but writes only
    once VIEW_STEP has passed since it, with one conditional UPDATE and no lock, so a view
    within the step writes nothing and parallel views count a gap once."""
    course = course or course_of(lesson)
    if not user.is_authenticated:
        raise ProgressError(_("Sign in to take the course."))
    # One query for the enrolment and the lesson's row; none yet (or not enrolled): the
    # locked path, which starts the lesson or says why not.
    progress = (
        LessonProgress.objects.select_related("enrolment")
        .filter(
            enrolment__user=user,
            enrolment__course_key=course.translation_key,
            enrolment__left_at__isnull=True,
            lesson_key=lesson.translation_key,
        )
        .first()
    )
    now = timezone.now()
    if progress is None:
        with transaction.atomic():  # a state change: the lesson starts, once
            return _touch(_locked_enrolment(user=user, course=course), lesson, now)
    enrolment = progress.enrolment
    seen = progress.last_seen_at
    if now - seen >= VIEW_STEP:
        gap = _gap_seconds(seen, lesson, now)
        # Only the view that still finds the sighting it read counts the gap: a parallel view
        # that read the same sighting updates nothing (READ COMMITTED re-checks the WHERE).
        counted = LessonProgress.objects.filter(pk=progress.pk, last_seen_at=seen).update(
            time_spent_seconds=F("time_spent_seconds") + gap, last_seen_at=now
        )
        if counted:
            progress.time_spent_seconds += gap
            progress.last_seen_at = now
    _enrolment_touch(enrolment, lesson, now)
    return progress


def completion_rule(course: CoursePage) -> dict:
    """The course's completion rule as it stands now; copied onto each completion."""
    required = ModulePage.objects.live().child_of(course).filter(required_for_completion=True)
    final = QuizPage.objects.live().child_of(course).filter(required=True)
    return {
        "required_modules": [str(k) for k in required.values_list("translation_key", flat=True)],
        "required_final_tests": [str(k) for k in final.values_list("translation_key", flat=True)],
        "minimum_score": course.completion_minimum_score,
    }


# What the completion checks read of the page tree is the same for every learner: it is
# cached under the page tree's version (elearning.core.pagecache), which every publication,
# unpublication, move or deletion replaces (the rule's fields, a module's required flag, a
# quiz page's required flag and the course's minimum score change only by publishing), so a
# check never judges by a tree that is no longer live (issue 17: the final test's submit).


def _course_rule(course: CoursePage) -> dict:
    """``completion_rule(course)``, from the cache under the page tree's version."""
    return cached(f"progress:rule:{course.pk}", lambda: completion_rule(course))


def _module_layout(module: ModulePage) -> dict:
    """The module's live lessons and its required live quizzes (translation keys), cached."""

    def build():
        return {
            "lessons": frozenset(
                LessonPage.objects.live().child_of(module).values_list("translation_key", flat=True)
            ),
            "quizzes": frozenset(
                QuizPage.objects.live()
                .child_of(module)
                .filter(required=True)
                .values_list("translation_key", flat=True)
            ),
        }

    return cached(f"progress:module-layout:{module.pk}", build)


def _placement_parents(placement: QuizPage) -> tuple[ModulePage | None, CoursePage]:
    """The quiz page's module (None for a final test) and its course, cached; the pages
    come with their locale (the completion events name their language)."""

    def build():
        parent = (
            ModulePage.objects.select_related("locale")
            .filter(path=placement.path[: -placement.steplen])
            .first()
        )
        course = (
            CoursePage.objects.select_related("locale").ancestor_of(placement, inclusive=True)
        ).first()
        if course is None:
            raise ProgressError(_("This page is not part of a course."))
        return (parent, course)

    return cached(f"progress:placement-parents:{placement.pk}", build)


def _module_check(enrolment: Enrolment, module: ModulePage, now) -> bool:
    if ModuleCompletion.objects.filter(
        enrolment=enrolment, module_key=module.translation_key
    ).exists():
        return False
    layout = _module_layout(module)
    lesson_keys = set(layout["lessons"])
    done = set(
        LessonProgress.objects.filter(
            enrolment=enrolment, lesson_key__in=lesson_keys, completed_at__isnull=False
        ).values_list("lesson_key", flat=True)
    )
    if not lesson_keys or done != lesson_keys:
        return False
    quizzes = set(layout["quizzes"])
    if quizzes and placements_passed(enrolment, quizzes) != quizzes:
        return False
    ModuleCompletion.objects.create(
        enrolment=enrolment, module_key=module.translation_key, module=module, completed_at=now
    )
    _event(enrolment, LearningEvent.Kind.MODULE_COMPLETED, module, at=now)
    return True


def _course_check(enrolment: Enrolment, course: CoursePage, now) -> bool:
    if enrolment.completed_at is not None:
        return False  # completed once, for good: later content changes do not take it away
    rule = _course_rule(course)
    if not rule["required_modules"] and not rule["required_final_tests"]:
        return False
    if rule["required_modules"]:
        done = {
            str(key)
            for key in ModuleCompletion.objects.filter(enrolment=enrolment).values_list(
                "module_key", flat=True
            )
        }
        if not set(rule["required_modules"]) <= done:
            return False
    finals = {UUID(key) for key in rule["required_final_tests"]}
    if finals and placements_passed(enrolment, finals, rule["minimum_score"]) != finals:
        return False
    enrolment.completed_at = now
    enrolment.completion_rule = rule
    enrolment.save(update_fields=["completed_at", "completion_rule"])
    # Subscribers (the certificates app) act on this event in the same transaction.
    _event(enrolment, LearningEvent.Kind.COURSE_COMPLETED, course, at=now, details={"rule": rule})
    return True


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage) -> CompletionOutcome:
    """Mark the lesson done, then complete its module and the course if that finishes them."""
    course = course_of(lesson)
    enrolment = _locked_enrolment(user=user, course=course)
    now = timezone.now()
    progress = _touch(enrolment, lesson, now)
    outcome = CompletionOutcome()
    if progress.completed_at is not None:
        return outcome
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    _event(
        enrolment,
        LearningEvent.Kind.LESSON_COMPLETED,
        lesson,
        at=now,
        details={"duration_seconds": progress.time_spent_seconds},
    )
    outcome.lesson_completed = True
    module = ModulePage.objects.ancestor_of(lesson).first()
    if module is not None and _module_check(enrolment, module, now):
        outcome.modules_completed.append(module)
    outcome.course_completed = _course_check(enrolment, course, now)
    return outcome


@dataclass
class BulkRow:
    row: int
    email: str
    status: str  # enrolled, already, error
    message: str


def enrolment_bulk_create(
    *, course: CoursePage, rows: list[tuple[int, str, str | None]], by
) -> list[BulkRow]:
    """Enrol the learners whose addresses are given; a report line per row (``rows``: row
    number, address, and the problem found while reading the file, if any). Each learner's
    enrolment is its own transaction, so one bad row changes nothing for the others."""
    from elearning.accounts.models import User

    from .forms import address_problem

    users = {
        user.email: user
        for user in User.objects.filter(
            email__in=[email.lower() for _, email, problem in rows if not problem],
            is_active=True,
        )
    }
    report = []
    seen = set()
    for number, raw, read_problem in rows:
        email = raw.lower()
        problem = read_problem or address_problem(raw)
        if problem:
            report.append(BulkRow(number, raw, "error", problem))
        elif email in seen:
            report.append(
                BulkRow(number, raw, "error", _("The address appears twice in the file."))
            )
        elif email not in users:
            report.append(BulkRow(number, raw, "error", _("No account has this e-mail address.")))
        else:
            _enrolment, created = enrolment_create(user=users[email], course=course, enrolled_by=by)
            report.append(
                BulkRow(number, raw, "enrolled", _("Enrolled."))
                if created
                else BulkRow(number, raw, "already", _("Already enrolled."))
            )
        seen.add(email)
    return report


def _components(entries, text_key="text") -> list[dict]:
    return [{"id": entry["id"], "text": str(entry.get(text_key, ""))[:250]} for entry in entries]


def _interaction(question: dict, answer) -> dict:
    """What the xAPI ``answered`` statement needs of one graded question, from the attempt's
    snapshot (the stable option, item and pair ids kept there, never what was served): the
    question type, the options (items, prompts and matches) with their texts, the correct
    responses and the learner's response as ids. Free text is never copied: a reflection
    carries no response. An answer value that is not one of the snapshot's ids is left out."""
    kind = question.get("type")
    details: dict = {"question_type": kind}
    if kind in ("single", "multiple", "true_false"):
        options = [o for o in question.get("options", []) if isinstance(o.get("id"), str)]
        ids = [option["id"] for option in options]
        correct = [option["id"] for option in options if option.get("correct") is True]
        details["choices"] = _components(options)
        if kind == "multiple":
            details["correct_responses"] = [correct] if correct else []
            chosen = set(answer) if isinstance(answer, list) else set()
            response = [option_id for option_id in ids if option_id in chosen]
        else:  # any one correct option is a correct response
            details["correct_responses"] = [[option_id] for option_id in correct]
            response = [answer] if answer in ids else []
    elif kind == "ordering":
        items = [i for i in question.get("items", []) if isinstance(i.get("id"), str)]
        ids = [item["id"] for item in items]
        details["choices"] = _components(items)
        details["correct_responses"] = [ids]
        whole = isinstance(answer, list) and sorted(map(str, answer)) == sorted(ids)
        response = list(answer) if whole else []
    elif kind == "matching":
        pairs = [p for p in question.get("pairs", []) if isinstance(p.get("id"), str)]
        ids = [pair["id"] for pair in pairs]
        details["prompts"] = _components(pairs, "prompt")
        details["matches"] = _components(pairs, "match")
        details["correct_responses"] = [[[pair_id, pair_id] for pair_id in ids]]
        chosen = answer if isinstance(answer, dict) else {}
        response = [[pid, chosen[pid]] for pid in ids if chosen.get(pid) in ids]
    else:
        return details
    if response:
        details["response"] = response
    return details


def quiz_result_record(
    *, enrolment: Enrolment, placement: QuizPage, attempt, at, graded=()
) -> CompletionOutcome:
    """A graded attempt: an event per answered question (``graded``: (question, grade) pairs,
    written in one insert), the quiz event, then the module or course it completes. Called
    by the quiz service inside the grading transaction, with the enrolment already locked."""
    language = placement.locale.language_code
    answered = [
        LearningEvent(
            enrolment=enrolment,
            kind=LearningEvent.Kind.QUESTION_ANSWERED,
            occurred_at=at,
            object_key=question["id"],
            object_page=placement,
            language=language,
            details={
                "quiz_key": str(placement.translation_key),
                "question": question["text"][:250],
                "attempt": attempt.number,
                "correct": grade.correct,
                "points": grade.points,
                "max_points": grade.max_points,
                # For the xAPI statement only: it names the correct answers, so the learner's
                # data download leaves it out (progress.selectors), like the review policy.
                "interaction": _interaction(question, (attempt.answers or {}).get(question["id"])),
            },
        )
        for question, grade in graded
        if grade.answered
    ]
    kind = LearningEvent.Kind.QUIZ_PASSED if attempt.passed else LearningEvent.Kind.QUIZ_FAILED
    result = LearningEvent(
        enrolment=enrolment,
        kind=kind,
        occurred_at=at,
        object_key=placement.translation_key,
        object_page=placement,
        language=language,
        details={
            "attempt": attempt.number,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "percent": attempt.percent,
            "pass_mark": attempt.pass_mark,
        },
    )
    # The answers and the result in one insert, published together: the subscribers (the
    # xAPI outbox reading which stores take the learner, the reports' rollup) run once.
    events_record([*answered, result])
    enrolment.last_activity_at = at
    enrolment.reminder_sent_at = None
    enrolment.save(update_fields=["last_activity_at", "reminder_sent_at"])
    outcome = CompletionOutcome()
    if not attempt.passed:
        return outcome
    # The parent module (None for a final test, whose parent is the course) and the course,
    # from the cache.
    parent, course = _placement_parents(placement)
    if parent is not None and _module_check(enrolment, parent, at):
        outcome.modules_completed.append(parent)
    outcome.course_completed = _course_check(enrolment, course, at)
    return outcome
