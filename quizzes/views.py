"""Quiz pages: the quiz's start page (served by QuizPage), the attempt form and the result."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import QuizPage
from courses.routing import site_for_request
from elearning.accounts.models import User
from elearning.accounts.scope import manager_scope
from elearning.core.pagecache import cached
from progress.models import Enrolment
from progress.selectors import enrolment_active
from progress.services import ProgressError, course_of

from . import services
from .definitions import definition_of
from .forms import AccommodationForm
from .models import Attempt, TimeAccommodation
from .selectors import (
    attempt_form,
    attempt_language,
    attempt_review,
    results_released,
    review_allowed,
    siblings_of,
)
from .tokens import tokens_missing

TIME_RAN_OUT = gettext_lazy(
    "The time ran out before these answers arrived. The answers saved before the time "
    "limit have been graded."
)


def quiz_page(request, page: QuizPage):
    """The quiz's page: instructions, rules, past attempts, start or resume.

    Every taker of a webinar opens it at once (issue 17): the quiz's rules come from
    ``definition_of`` (one query, the questions from the cache), and what every learner sees
    alike (breadcrumb, title, introduction, instructions) is a fragment cached under the page
    tree's version and the quiz's version; the course and the quiz row are read only to
    render it (or to send a learner who is not enrolled to the course)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    definition = definition_of(page.pk)
    if definition is None or definition.course_key is None:
        # Not a live, public placement in a course (a view restriction: starting is refused
        # too, see definitions.py): the page as it stands, read as before.
        return _quiz_page_read(request, page)
    course = SimpleLazyObject(lambda: course_of(page))
    enrolments = Enrolment.objects.filter(
        user=request.user, course_key=definition.course_key, left_at__isnull=True
    )
    if definition.time_limit_minutes:
        # The learner's accommodation in force, in the same query (as the start reads it).
        enrolments = enrolments.annotate(accommodation_pk=services.accommodation_pk_in_force())
    enrolment = enrolments.first()
    if enrolment is None:
        messages.info(request, _("You are not enrolled in this course."))
        return redirect(course.get_url(request))
    return _quiz_page_render(
        request,
        page,
        course=course,
        enrolment=enrolment,
        rules=_rules(definition),
        quiz=SimpleLazyObject(lambda: page.quiz),
        version=definition.version,
    )


def _quiz_page_read(request, page: QuizPage):
    course = course_of(page)
    enrolment = enrolment_active(user=request.user, course=course)
    if enrolment is None:
        messages.info(request, _("You are not enrolled in this course."))
        return redirect(course.get_url(request))
    quiz = page.quiz
    # No quiz version: the shared part is rendered, not cached.
    return _quiz_page_render(
        request, page, course=course, enrolment=enrolment, rules=_rules(quiz), quiz=quiz, version=""
    )


def _rules(quiz) -> dict:
    """The rules the page states, from the quiz or its published definition (the same
    fields)."""
    return {
        "questions": quiz.draw_count or len(quiz.questions),
        "pass_mark": quiz.pass_mark,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempts_allowed": quiz.attempts_allowed,
    }


def _quiz_page_render(request, page, *, course, enrolment, rules, quiz, version):
    attempts = list(
        Attempt.objects.filter(enrolment=enrolment, placement_key=page.translation_key).order_by(
            "number"
        )
    )
    for attempt in attempts:
        if services.attempt_is_late(attempt):
            services.attempt_expire(attempt_id=attempt.pk)
            attempt.refresh_from_db()
    limit = rules["time_limit_minutes"]
    accommodation = None
    if limit and getattr(enrolment, "accommodation_pk", True) is not None:
        accommodation = services.accommodation_in_force(learner=request.user)
    context = page.get_context(request)
    context.update(
        {
            "quiz": quiz,
            "rules": rules,
            "quiz_version": version,
            "accommodation": accommodation,
            # The learner's own time (None: no limit), shown beside the quiz's limit.
            "minutes_allowed": accommodation.minutes_for(limit) if accommodation else limit,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "attempts_left": None
            if rules["attempts_allowed"] is None
            else rules["attempts_allowed"] - len(attempts),
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
    # The service reads the placement itself (live and public, one query): the page is
    # loaded only to send the learner back to it when the start is refused.
    try:
        attempt = services.attempt_start(user=request.user, placement_id=page_id)
    except (services.QuizError, ProgressError) as error:
        placement = _placement(page_id)
        messages.error(request, str(error))
        return redirect(placement.get_url(request))
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id) -> Attempt:
    # The quiz's question pool is not needed here (the attempt keeps its own questions), and
    # it is the largest column of the row: left out.
    return get_object_or_404(
        Attempt.objects.select_related("placement__locale", "quiz__locale").defer(
            "quiz__questions"
        ),
        pk=attempt_id,
        enrolment__user=request.user,
    )


def _own_attempt_row(request, attempt_id) -> Attempt:
    """The learner's attempt alone, for its form: the title and the language of its texts come
    from ``_heading``. The quiz page's and the quiz's rows (with the page inheritance and
    their locales) took about a third of the form's CPU, on the page every taker of a
    webinar opens right after starting (issue 17)."""
    return get_object_or_404(Attempt, pk=attempt_id, enrolment__user=request.user)


def _heading(attempt) -> dict[str, str]:
    """The attempt's title (its quiz page's, else its quiz's) and the language its texts are
    written in (``attempt_language``), cached under the page tree's version per quiz page
    and quiz: a page's publication, move or deletion replaces it. A quiz's title is shown
    only when its page is gone, and a snippet's locale never changes."""
    placement_id, quiz_id = attempt.placement_id, attempt.quiz_id

    def build():
        found = Attempt.objects.filter(pk=attempt.pk).select_related(
            "placement__locale", "quiz__locale"
        )
        row = found.defer("quiz__questions").get()
        return {
            "title": row.placement.title if row.placement else row.quiz.title if row.quiz else "",
            "language": attempt_language(row),
        }

    return cached(f"quizzes:heading:{placement_id}:{quiz_id}", build)


def _lang_attr(attempt, language: str | None = None) -> str:
    """` lang="sv"` on the quiz's texts when they are not in the page's language (WCAG
    3.1.2): a Swedish attempt continued from the English site stays marked Swedish."""
    if language is None:
        language = attempt_language(attempt)
    if language and language != translation.get_language():
        return format_html(' lang="{}"', language)
    return ""


def _clock(seconds: int | None) -> str:
    """12:05 (minutes and seconds), 1:02:05 past an hour."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _render_attempt(request, attempt, *, error=None, status=200):
    if attempt.is_open and tokens_missing(attempt.questions):
        services.attempt_tokens_ensure(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    seconds_left = None
    if attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    heading = _heading(attempt)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "seconds_left": seconds_left,
            "time_left": _clock(seconds_left),
            "questions": attempt_form(attempt),
            "error": error,
            "title": heading["title"],
            "lang_attr": _lang_attr(attempt, heading["language"]),
        },
        status=status,
    )


def _render_result(request, attempt, *, message=None, status=200):
    # The link back to the quiz needs the site: from the cache, not a query per result.
    site_for_request(request)
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
            "lang_attr": _lang_attr(attempt),
            "attempts_left": None
            if quiz is None or quiz.attempts_allowed is None
            else max(0, quiz.attempts_allowed - siblings.used),
        },
        status=status,
    )


# The timed attempt's page runs one script of the site's own (static/js/quiz-timer.js: the
# countdown, the warnings screen readers hear, saving as the learner goes); every other page
# keeps the site's policy of no script at all (issue 14, WCAG 2.2.1).
@csp_replace({"script-src": ["'self'"]})
@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id):
    if request.method == "GET":
        attempt = _own_attempt_row(request, attempt_id)
        if services.attempt_is_late(attempt):
            services.attempt_expire(attempt_id=attempt.pk)
            attempt.refresh_from_db()
        if not attempt.is_open:
            return redirect("quizzes:result", attempt_id=attempt.pk)
        return _render_attempt(request, attempt)

    # A post goes to the service at once, which reads the learner's own attempt under its
    # lock (or not at all: Http404); the attempt is loaded here only to show an error.
    action = request.POST.get("action")
    if action == "autosave":
        return _autosave(request, attempt_id)
    if action not in ("save", "submit"):
        attempt = _own_attempt(request, attempt_id)
        return _render_attempt(request, attempt, error=_("Choose Save or Submit."), status=400)
    try:
        if action == "save":
            done = services.attempt_save(
                user=request.user, attempt_id=attempt_id, data=request.POST
            )
        else:
            done = services.attempt_submit(
                user=request.user, attempt_id=attempt_id, data=request.POST
            )
    except Attempt.DoesNotExist as missing:
        raise Http404 from missing
    except services.AlreadySubmitted as done:
        return _render_result(request, done.attempt, message=str(done), status=409)
    except services.QuizError as error:
        attempt = _own_attempt(request, attempt_id)
        return _render_attempt(request, attempt, error=str(error), status=400)
    if getattr(done, "time_ran_out", False):
        messages.warning(request, TIME_RAN_OUT)
        return redirect("quizzes:result", attempt_id=attempt_id)
    if action == "save":
        messages.success(request, _("Your answers are saved. You can come back and go on later."))
        return redirect("quizzes:attempt", attempt_id=attempt_id)
    return redirect("quizzes:result", attempt_id=attempt_id)


def _autosave(request, attempt_id):
    """The timed page's script saves the answers as the learner goes: JSON, no page."""
    result_url = reverse("quizzes:result", kwargs={"attempt_id": attempt_id})
    try:
        done = services.attempt_save(user=request.user, attempt_id=attempt_id, data=request.POST)
    except Attempt.DoesNotExist as missing:
        raise Http404 from missing
    except services.AlreadySubmitted:
        return JsonResponse({"closed": True, "result": result_url}, status=409)
    except services.QuizError as error:
        return JsonResponse({"error": str(error)}, status=400)
    if getattr(done, "time_ran_out", False):
        messages.warning(request, TIME_RAN_OUT)
        return JsonResponse({"closed": True, "result": result_url}, status=409)
    return JsonResponse({"saved": True})


@login_required
@require_GET
def result(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_open:
        return redirect(reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk}))
    return _render_result(request, attempt)


# --- Time accommodations (issue 14, WCAG 2.2.1) ---------------------------------------------


def _may_grant_any(user) -> bool:
    return user.is_superuser or user.has_perm("accounts.change_user")


@login_required
@require_http_methods(["GET", "POST"])
def accommodations(request):
    """Administrators and managers grant learners more time or no limit on timed quizzes,
    and withdraw it; a manager sees and changes only the learners of their organisations."""
    scope = None if _may_grant_any(request.user) else manager_scope(request.user)
    if scope is None and not _may_grant_any(request.user):
        raise PermissionDenied(_("Only administrators and managers grant time accommodations."))
    in_force = TimeAccommodation.objects.filter(ended_at__isnull=True).select_related(
        "learner__organisation", "granted_by"
    )
    if scope is not None:
        in_force = in_force.filter(learner__organisation__in=scope.organisations())

    form = AccommodationForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "end":
            raw = request.POST.get("learner", "")
            # ASCII digits, and few: anything else matches no one (and never reaches a query).
            ok = raw.isascii() and raw.isdigit() and len(raw) <= 18
            learner = in_force.filter(learner_id=int(raw)).first() if ok else None
            if learner is None:
                messages.error(request, _("No accommodation in force for that learner."))
                return redirect("quizzes:accommodations")
            services.accommodation_end(ended_by=request.user, learner=learner.learner)
            messages.success(
                request,
                _("The accommodation of %(name)s is withdrawn from their next attempt on.")
                % {"name": learner.learner.get_full_name() or learner.learner.email},
            )
            return redirect("quizzes:accommodations")
        form = AccommodationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            learner = User.objects.filter(email__iexact=data["email"], is_active=True).first()
            # One message whether the address is unknown or outside the manager's scope: the
            # form tells no one who has an account elsewhere.
            if learner is None or not services.accommodation_allowed(
                user=request.user, learner=learner
            ):
                form.add_error(
                    "email",
                    _("No learner with this e-mail address in the organisations you follow."),
                )
            else:
                try:
                    services.accommodation_grant(
                        granted_by=request.user,
                        learner=learner,
                        kind=data["kind"],
                        multiplier=data.get("multiplier"),
                        extra_minutes=data.get("extra_minutes"),
                        reason=data["reason"],
                    )
                except services.QuizError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        _("%(name)s now has a time accommodation on timed quizzes.")
                        % {"name": learner.get_full_name() or learner.email},
                    )
                    return redirect("quizzes:accommodations")
        status = 400
    return render(
        request,
        "quizzes/accommodations.html",
        {"form": form, "in_force": in_force.order_by("learner__last_name", "learner__email")},
        status=status,
    )
