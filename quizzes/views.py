"""Quiz pages: the quiz's start page (served by QuizPage), the attempt form and the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import QuizPage
from progress.selectors import enrolment_active
from progress.services import ProgressError, course_of

from . import services
from .models import Attempt
from .selectors import (
    attempt_form,
    attempt_review,
    results_released,
    review_allowed,
    siblings_of,
)
from .tokens import tokens_missing


def quiz_page(request, page: QuizPage):
    """The quiz's page: instructions, rules, past attempts, start or resume."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = course_of(page)
    enrolment = enrolment_active(user=request.user, course=course)
    if enrolment is None:
        messages.info(request, _("You are not enrolled in this course."))
        return redirect(course.get_url(request))
    attempts = list(
        Attempt.objects.filter(enrolment=enrolment, placement_key=page.translation_key).order_by(
            "number"
        )
    )
    for attempt in attempts:
        if attempt.is_open:
            services.attempt_expire(attempt_id=attempt.pk)
            attempt.refresh_from_db()
    quiz = page.quiz
    used = len(attempts)
    context = page.get_context(request)
    context.update(
        {
            "quiz": quiz,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "attempts_left": None
            if quiz.attempts_allowed is None
            else quiz.attempts_allowed - used,
            "passed": any(a.passed for a in attempts),
            "course": course,
        }
    )
    return TemplateResponse(request, "courses/quiz_page.html", context)


def _placement(page_id) -> QuizPage:
    page = QuizPage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404(_("No such quiz."))
    return page


@login_required
@require_POST
def start(request, page_id):
    placement = _placement(page_id)
    try:
        attempt = services.attempt_start(user=request.user, placement=placement)
    except (services.QuizError, ProgressError) as error:
        messages.error(request, str(error))
        return redirect(placement.get_url(request))
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("placement", "quiz"),
        pk=attempt_id,
        enrolment__user=request.user,
    )


def _render_attempt(request, attempt, *, error=None, status=200):
    if attempt.is_open and tokens_missing(attempt.questions):
        services.attempt_tokens_ensure(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    return render(
        request,
        "quizzes/attempt.html",
        {"attempt": attempt, "questions": attempt_form(attempt), "error": error},
        status=status,
    )


def _render_result(request, attempt, *, message=None, status=200):
    siblings = siblings_of(attempt)
    released = results_released(attempt, siblings)
    quiz = attempt.quiz
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "review": attempt_review(attempt, released=released),
            "review_allowed": review_allowed(attempt),
            "results_released": released,
            "feedback": quiz.feedback_for(attempt.percent) if quiz else "",
            "message": message,
            "attempts_left": None
            if quiz is None or quiz.attempts_allowed is None
            else max(0, quiz.attempts_allowed - siblings.used),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if request.method == "GET":
        if attempt.is_open:
            services.attempt_expire(attempt_id=attempt.pk)
            attempt.refresh_from_db()
        if not attempt.is_open:
            return redirect("quizzes:result", attempt_id=attempt.pk)
        return _render_attempt(request, attempt)

    action = request.POST.get("action")
    if action not in ("save", "submit"):
        return _render_attempt(request, attempt, error=_("Choose Save or Submit."), status=400)
    try:
        if action == "save":
            services.attempt_save(user=request.user, attempt_id=attempt.pk, data=request.POST)
        else:
            services.attempt_submit(user=request.user, attempt_id=attempt.pk, data=request.POST)
    except services.AlreadySubmitted as done:
        return _render_result(request, done.attempt, message=str(done), status=409)
    except services.QuizError as error:
        attempt.refresh_from_db()
        return _render_attempt(request, attempt, error=str(error), status=400)
    if action == "save":
        messages.success(request, _("Your answers are saved. You can come back and go on later."))
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    return redirect("quizzes:result", attempt_id=attempt.pk)


@login_required
@require_GET
def result(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_open:
        return redirect(reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk}))
    return _render_result(request, attempt)
