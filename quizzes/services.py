"""Writes for quizzes: start, save, submit. Grading is on the server only (grading.py).

Every transition locks a row first: starting locks the learner's enrolment (so two parallel
starts never exceed the attempt limit or open two attempts), submitting locks the attempt and
its enrolment in one statement (so a double submit grades once). Saving answers is one
conditional UPDATE that writes only while the attempt is open and in time; a save that finds
it closed or late takes the locks as a submit does.

Issue 17 (many learners starting the final test in the same minute): the published quiz is
read in one query and its questions come from the cache (``definitions.py``); the snapshot is
made before the enrolment is locked, so each transaction holds its lock for a few statements.
"""

import random
import re
from datetime import timedelta

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import QuizPage
from elearning.accounts.scope import manager_scope
from elearning.core.pagecache import cached
from progress.services import ProgressError, enrolment_locked, quiz_result_record

from . import grading
from .definitions import definition_of, serve
from .models import Attempt, AttemptAnswer, TimeAccommodation
from .tokens import token, tokens_add, tokens_missing

# Network and clicking time allowed after the deadline before a submit counts as late.
GRACE = timedelta(seconds=30)
MAX_TEXT = 5000
# C0 controls but tab and line breaks: none is typed into a text box, and PostgreSQL's JSON
# cannot store NUL at all (it answered 500).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuizError(Exception):
    """A quiz action was refused; the message can be shown to the learner."""


class AlreadySubmitted(QuizError):
    def __init__(self, attempt):
        super().__init__(_("This attempt has already been submitted. Its result is below."))
        self.attempt = attempt


# --- Answers --------------------------------------------------------------------------------


def _fields(question: dict) -> list[str]:
    """The names of the form fields ``question`` is answered in."""
    key = f"q-{question['id']}"
    if question["type"] == "ordering":
        return [f"{key}-{token(item)}" for item in question["items"]]
    if question["type"] == "matching":
        return [f"{key}-{token(pair, 'prompt_token')}" for pair in question["pairs"]]
    return [key]


def answers_parse(questions: list[dict], data) -> dict:
    """The answers in a posted form, checked against the served questions and mapped from the
    attempt's tokens back to the stable ids grading and statistics use. Anything the form
    could not have sent (an unknown field, an unknown token, one of another attempt, a stable
    id, a second value where one is taken, a score or pass field) is refused, so a tampered
    post changes nothing."""
    by_field = {name: question for question in questions for name in _fields(question)}
    for key in data:
        if key not in by_field and key not in ("csrfmiddlewaretoken", "action"):
            raise QuizError(
                _("The form has a field it should not have: %(field)s") % {"field": key[:80]}
            )

    answers = {}
    for number, question in enumerate(questions, start=1):
        qid = question["id"]
        kind = question["type"]
        key = f"q-{qid}"
        error = _("Question %(number)d: the answer is not one of its options.") % {"number": number}
        one_each = _("Question %(number)d: each menu takes one answer.") % {"number": number}
        if kind in ("single", "true_false"):
            values = data.getlist(key)
            if len(values) > 1:
                raise QuizError(_("Question %(number)d takes one answer.") % {"number": number})
            if values and values[0]:
                known = {token(option): option["id"] for option in question["options"]}
                if values[0] not in known:
                    raise QuizError(error)
                answers[qid] = known[values[0]]
        elif kind == "multiple":
            values = data.getlist(key)
            known = {token(option): option["id"] for option in question["options"]}
            if any(value not in known for value in values) or len(set(values)) != len(values):
                raise QuizError(error)
            if values:
                answers[qid] = [known[value] for value in values]
        elif kind == "ordering":
            count = len(question["items"])
            positions = {}
            for item in question["items"]:
                values = data.getlist(f"{key}-{token(item)}")
                if len(values) > 1:
                    raise QuizError(one_each)
                raw = values[0] if values else ""
                if raw == "":
                    continue
                # ASCII digits, and few: int() of other digits or of thousands of them raises.
                if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not (
                    1 <= int(raw) <= count
                ):
                    raise QuizError(error)
                positions[item["id"]] = int(raw)
            if positions:
                if len(positions) != count or sorted(positions.values()) != list(
                    range(1, count + 1)
                ):
                    raise QuizError(
                        _("Question %(number)d: give each item its own position, 1 to %(count)d.")
                        % {"number": number, "count": count}
                    )
                answers[qid] = sorted(positions, key=positions.get)
        elif kind == "matching":
            known = {token(pair, "match_token"): pair["id"] for pair in question["pairs"]}
            chosen = {}
            for pair in question["pairs"]:
                values = data.getlist(f"{key}-{token(pair, 'prompt_token')}")
                if len(values) > 1:
                    raise QuizError(one_each)
                raw = values[0] if values else ""
                if raw == "":
                    continue
                if raw not in known:
                    raise QuizError(error)
                chosen[pair["id"]] = known[raw]
            if chosen:
                answers[qid] = chosen
        else:
            values = data.getlist(key)
            if len(values) > 1:
                raise QuizError(_("Question %(number)d takes one answer.") % {"number": number})
            text = values[0] if values else ""
            if len(text) > MAX_TEXT:
                raise QuizError(
                    _("Question %(number)d: at most %(count)d characters.")
                    % {"number": number, "count": MAX_TEXT}
                )
            if CONTROL.search(text):
                raise QuizError(
                    _("Question %(number)d: the text has control characters it cannot have.")
                    % {"number": number}
                )
            if text.strip():
                answers[qid] = text
    return answers


# --- Writes ---------------------------------------------------------------------------------


def attempt_start(*, user, placement: QuizPage | None = None, placement_id=None) -> Attempt:
    """Open a new attempt, or return the open one (resume). Refused when no attempt is left,
    or when the placement is not a live, public quiz page (``placement`` or its id)."""
    definition = definition_of(placement.pk if placement is not None else placement_id)
    if definition is None:
        raise QuizError(_("No such quiz."))
    if definition.course_key is None:
        raise ProgressError(_("This page is not part of a course."))
    # The snapshot is made before the transaction: the lock on the enrolment is held for
    # the few statements that need it only.
    questions = tokens_add(serve(definition, random.SystemRandom()))
    return _attempt_open(user=user, definition=definition, questions=questions)


@transaction.atomic
def _attempt_open(*, user, definition, questions) -> Attempt:
    # The enrolment's lock serialises a learner's parallel starts: never two open attempts,
    # never more than the quiz allows.
    limit = definition.time_limit_minutes
    # The learner's accommodation in force, if the quiz is timed, in the lock's query: an
    # accommodation granted while the learner starts applies from the next attempt on.
    enrolment = enrolment_locked(
        user=user,
        course_key=definition.course_key,
        annotations={"accommodation_pk": accommodation_pk_in_force()} if limit else None,
    )
    earlier = list(
        Attempt.objects.filter(
            enrolment=enrolment, placement_key=definition.placement_key
        ).values_list("pk", "submitted_at")
    )
    open_pk = next((pk for pk, submitted_at in earlier if submitted_at is None), None)
    if open_pk is not None:
        return Attempt.objects.get(pk=open_pk)
    used = len(earlier)
    if definition.attempts_allowed is not None and used >= definition.attempts_allowed:
        raise QuizError(_("You have used all your attempts at this quiz."))
    now = timezone.now()
    accommodation = None
    if limit and enrolment.accommodation_pk is not None:
        accommodation = TimeAccommodation.objects.get(pk=enrolment.accommodation_pk)
    return Attempt.objects.create(
        enrolment=enrolment,
        placement_key=definition.placement_key,
        placement_id=definition.placement_id,
        quiz_id=definition.quiz_id,
        number=used + 1,
        started_at=now,
        time_limit_minutes=limit,
        accommodation=accommodation,
        deadline=_deadline(now, limit, accommodation),
        questions=questions,
        pass_mark=definition.pass_mark,
        review_policy=definition.review_policy,
    )


def _locked_attempt(*, user, attempt_id, with_enrolment: bool = False) -> Attempt:
    """The learner's attempt, locked; ``with_enrolment`` locks its enrolment in the same
    statement (grading may complete the module or the course)."""
    attempts = Attempt.objects.filter(pk=attempt_id, enrolment__user=user)
    if with_enrolment:
        attempts = attempts.select_related("enrolment").select_for_update(of=("self", "enrolment"))
    else:
        attempts = attempts.select_for_update()
    attempt = attempts.first()
    if attempt is None:
        raise Attempt.DoesNotExist
    if with_enrolment:
        if attempt.enrolment.left_at is not None:
            raise ProgressError(_("You are not enrolled in this course."))
        # The learner is the one signed in (the filter above): the xAPI statements name
        # them without loading the user again.
        attempt.enrolment.user = user
    return attempt


def _late(attempt, now) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def attempt_is_late(attempt) -> bool:
    """Whether an open attempt's time (and the grace after it) has run out."""
    return attempt.is_open and _late(attempt, timezone.now())


def attempt_save(*, user, attempt_id, data) -> Attempt:
    """Keep the answers so far; the learner can leave and resume. After the deadline the
    attempt is graded with what was saved before it (``time_ran_out`` is set)."""
    attempt = (
        Attempt.objects.filter(pk=attempt_id, enrolment__user=user)
        .only("pk", "questions", "submitted_at", "deadline")
        .first()
    )
    if attempt is None:
        raise Attempt.DoesNotExist
    if not attempt.is_open:
        raise AlreadySubmitted(Attempt.objects.get(pk=attempt_id))
    answers = answers_parse(attempt.questions, data)
    now = timezone.now()
    # One statement, no lock held: it writes only while the attempt is open and in time,
    # checked by the database at the write (a submit or an accommodation in between is seen).
    saved = (
        Attempt.objects.filter(pk=attempt_id, submitted_at__isnull=True)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=now - GRACE))
        .update(answers=answers)
    )
    if saved:
        attempt.answers = answers
        return attempt
    return _attempt_save_locked(user=user, attempt_id=attempt_id, answers=answers)


@transaction.atomic
def _attempt_save_locked(*, user, attempt_id, answers) -> Attempt:
    """The save that found the attempt closed or late: under the locks, as submit does."""
    attempt = _locked_attempt(user=user, attempt_id=attempt_id, with_enrolment=True)
    if not attempt.is_open:
        raise AlreadySubmitted(attempt)
    if _late(attempt, timezone.now()):
        # Never refused (WCAG 2.2.1): what was saved before the deadline is graded.
        _grade(attempt, attempt.deadline)
        attempt.time_ran_out = True
        return attempt
    attempt.answers = answers
    attempt.save(update_fields=["answers"])
    return attempt


def _grade(attempt: Attempt, now) -> None:
    """Grade the attempt's answers in one pass, store the result and the graded answers
    (one insert), and tell progress; the caller holds the attempt's lock and, for a
    submit, the enrolment's (loaded with the attempt)."""
    grades, points, maximum = grading.grade_attempt(attempt.questions, attempt.answers)
    attempt.submitted_at = now
    attempt.score = points
    attempt.max_score = maximum
    attempt.percent = grading.percent(points, maximum)
    attempt.passed = attempt.percent >= attempt.pass_mark
    attempt.save(
        update_fields=["answers", "submitted_at", "score", "max_score", "percent", "passed"]
    )
    graded = list(zip(attempt.questions, grades, strict=True))
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            quiz_id=attempt.quiz_id,
            question_id=question["id"],
            chosen=_chosen(question, attempt.answers.get(question["id"])),
            answered=grade.answered,
            correct=grade.correct,
            points=grade.points,
            max_points=grade.max_points,
        )
        for question, grade in graded
    )
    placement = placement_of(attempt)
    if placement is not None:
        quiz_result_record(
            enrolment=attempt.enrolment,
            placement=placement,
            attempt=attempt,
            at=now,
            graded=graded,
        )


def placement_of(attempt: Attempt) -> QuizPage | None:
    """The attempt's quiz page with its locale (None: deleted since), as grading names it in
    the learning events: from the cache under the page tree's version, which its publication,
    move or deletion replaces. Joining the page (with its inheritance) and its locale to the
    locked attempt took about a fifth of a submit's CPU (issue 17)."""
    if attempt.placement_id is None:
        return None
    placement_id = attempt.placement_id

    def build():
        return QuizPage.objects.select_related("locale").filter(pk=placement_id).first() or ""

    return cached(f"quizzes:placement:{placement_id}", build) or None


def _chosen(question: dict, answer) -> list:
    """The option ids chosen, for the per-option statistics (never free text)."""
    if question["type"] in ("single", "true_false") and isinstance(answer, str):
        return [answer]
    if question["type"] == "multiple" and isinstance(answer, list):
        return answer
    return []


@transaction.atomic
def attempt_submit(*, user, attempt_id, data) -> Attempt:
    """Grade the attempt with the posted answers. A second submit changes nothing
    (AlreadySubmitted carries the first result); a late one grades the answers saved before
    the deadline instead of the posted ones (``time_ran_out`` is set), never refused."""
    # The attempt and its enrolment locked in one statement: a double submit grades once.
    attempt = _locked_attempt(user=user, attempt_id=attempt_id, with_enrolment=True)
    if not attempt.is_open:
        raise AlreadySubmitted(attempt)
    now = timezone.now()
    answers = answers_parse(attempt.questions, data)
    if _late(attempt, now):
        # Never refused (WCAG 2.2.1): the answers saved before the deadline (the page saves
        # them as the learner goes) are graded; the ones sent late are not.
        _grade(attempt, attempt.deadline)
        attempt.time_ran_out = True
        return attempt
    attempt.answers = answers
    _grade(attempt, now)
    return attempt


@transaction.atomic
def attempt_tokens_ensure(*, attempt_id) -> Attempt | None:
    """Give an open attempt started before tokens existed its tokens, before its form is
    served again (the old form gave matching answers away). Its saved answers are in stable
    ids and stay valid; a submitted attempt is never changed."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None or not attempt.is_open or not tokens_missing(attempt.questions):
        return attempt
    attempt.questions = tokens_add(attempt.questions)
    attempt.save(update_fields=["questions"])
    return attempt


@transaction.atomic
def attempt_expire(*, attempt_id) -> Attempt | None:
    """Close an attempt whose time ran out, graded with the answers saved before the deadline."""
    attempt = (
        Attempt.objects.select_related("enrolment")
        .select_for_update(of=("self", "enrolment"))
        .filter(pk=attempt_id)
        .first()
    )
    now = timezone.now()
    if attempt is None or not attempt.is_open or not _late(attempt, now):
        return attempt
    _grade(attempt, attempt.deadline)
    return attempt


# --- Time accommodations (issue 14, WCAG 2.2.1) ---------------------------------------------


def _deadline(started_at, limit: int | None, accommodation):
    """When the time runs out: the quiz's limit, changed by the learner's accommodation."""
    if not limit:
        return None
    minutes = accommodation.minutes_for(limit) if accommodation is not None else limit
    return None if minutes is None else started_at + timedelta(minutes=minutes)


def accommodation_pk_in_force() -> Subquery:
    """The id of the accommodation in force of an enrolment's learner (None: none), as an
    annotation of an enrolment query."""
    in_force = TimeAccommodation.objects.filter(learner=OuterRef("user"), ended_at__isnull=True)
    return Subquery(in_force.values("pk")[:1])


def accommodation_in_force(*, learner) -> TimeAccommodation | None:
    return TimeAccommodation.objects.filter(learner=learner, ended_at__isnull=True).first()


def accommodation_allowed(*, user, learner) -> bool:
    """Administrators grant to anyone; a manager to the learners of the organisations they
    follow (``elearning.accounts.scope``), never to themselves."""
    if not user.is_authenticated or user.pk == learner.pk:
        return False
    if user.is_superuser or user.has_perm("accounts.change_user"):
        return True
    scope = manager_scope(user)
    if scope is None or scope.is_empty or learner.organisation_id is None:
        return False
    return scope.organisations().filter(pk=learner.organisation_id).exists()


def _open_attempts_apply(learner, accommodation) -> None:
    """Open timed attempts take the new accommodation at once: the deadline is recomputed
    from their start and their own time limit."""
    attempts = Attempt.objects.select_for_update().filter(
        enrolment__user=learner, submitted_at__isnull=True, deadline__isnull=False
    )
    for attempt in attempts:
        limit = attempt.time_limit_minutes or round(
            (attempt.deadline - attempt.started_at).total_seconds() / 60
        )
        attempt.time_limit_minutes = limit
        attempt.accommodation = accommodation
        attempt.deadline = _deadline(attempt.started_at, limit, accommodation)
        attempt.save(update_fields=["time_limit_minutes", "accommodation", "deadline"])


@transaction.atomic
def accommodation_grant(
    *,
    granted_by,
    learner,
    kind: str,
    multiplier=None,
    extra_minutes: int | None = None,
    reason: str,
) -> TimeAccommodation:
    """Give ``learner`` more time or no time limit on every timed quiz, replacing the one in
    force; applies to their open attempts at once. Recorded: who, when, why."""
    if not accommodation_allowed(user=granted_by, learner=learner):
        raise QuizError(_("You may not grant accommodations to this learner."))
    reason = (reason or "").strip()
    if not reason:
        raise QuizError(_("Say why the accommodation is granted."))
    if kind == TimeAccommodation.Kind.MULTIPLIER:
        extra_minutes = None
        if multiplier is None:
            raise QuizError(_("Give the factor the time limit is multiplied by."))
    elif kind == TimeAccommodation.Kind.MINUTES:
        multiplier = None
        if not extra_minutes:
            raise QuizError(_("Give the number of minutes added."))
    elif kind == TimeAccommodation.Kind.NO_LIMIT:
        multiplier = extra_minutes = None
    else:
        raise QuizError(_("Choose an accommodation."))
    now = timezone.now()
    TimeAccommodation.objects.select_for_update().filter(
        learner=learner, ended_at__isnull=True
    ).update(ended_at=now, ended_by=granted_by)
    accommodation = TimeAccommodation.objects.create(
        learner=learner,
        kind=kind,
        multiplier=multiplier,
        extra_minutes=extra_minutes,
        reason=reason,
        granted_by=granted_by,
        granted_at=now,
    )
    _open_attempts_apply(learner, accommodation)
    return accommodation


@transaction.atomic
def accommodation_end(*, ended_by, learner) -> TimeAccommodation | None:
    """Withdraw the learner's accommodation from the next attempt on; an attempt already
    open keeps the time it was given (time is never taken away mid-attempt)."""
    if not accommodation_allowed(user=ended_by, learner=learner):
        raise QuizError(_("You may not change this learner's accommodations."))
    accommodation = (
        TimeAccommodation.objects.select_for_update()
        .filter(learner=learner, ended_at__isnull=True)
        .first()
    )
    if accommodation is None:
        raise QuizError(_("This learner has no accommodation in force."))
    accommodation.ended_at = timezone.now()
    accommodation.ended_by = ended_by
    accommodation.save(update_fields=["ended_at", "ended_by"])
    return accommodation


def attempts_forget(user) -> None:
    """When an account is deleted: free-text answers may name the person, so saved answers
    go; the graded rows stay, anonymous, for item statistics."""
    Attempt.objects.filter(enrolment__user=user).update(answers={})
