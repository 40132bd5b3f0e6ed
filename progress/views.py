"""The learner's actions on progress (enrol, leave, mark a lesson done) and dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models import CoursePage, LessonPage
from courses.routing import site_for_request
from courses.selectors import course_outline

from . import pagecache, services
from .selectors import dashboard as dashboard_entries


def _live_page(model, page_id):
    page = model.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404(_("No such page."))
    return page


@login_required
@require_POST
def enrol(request, page_id):
    course = _live_page(CoursePage, page_id)
    _enrolment, created = services.enrolment_create(user=request.user, course=course)
    if created:
        messages.success(request, _("You are enrolled. Good luck with the course!"))
    return redirect(course.get_url(request))


@login_required
@require_POST
def leave(request, page_id):
    course = _live_page(CoursePage, page_id)
    try:
        services.enrolment_leave(user=request.user, course=course)
    except services.ProgressError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You have left the course. Your progress is kept if you come back.")
        )
    return redirect(course.get_url(request))


@login_required
@require_POST
def lesson_done(request, page_id):
    lesson = _live_page(LessonPage, page_id)
    if not getattr(lesson.specific_class, "completed_by_learner", True):
        # Issue 18: a package lesson is completed by the package's own status only.
        messages.error(request, _("This lesson is completed by working through its content."))
        return redirect(lesson.get_url(request))
    try:
        outcome = services.lesson_complete(user=request.user, lesson=lesson)
    except services.ProgressError as error:
        messages.error(request, str(error))
        return redirect(services.course_of(lesson).get_url(request))
    for module in outcome.modules_completed:
        messages.success(request, _("Module completed: %(title)s") % {"title": module.title})
    course = services.course_of(lesson)
    if outcome.course_completed:
        messages.success(request, _("Congratulations! You have completed the course."))
        return redirect(course.get_url(request))
    # On to the next lesson; after a module's last lesson to its quiz, if it has one; after
    # the last lesson of all, to the final test or back to the course.
    outline = course_outline(course=course, request=request)
    module = next((m for m in outline.modules if any(x.id == lesson.pk for x in m.lessons)), None)
    if module is not None and module.lessons[-1].id == lesson.pk and module.quizzes:
        return redirect(module.quizzes[0].url)
    _previous, following = outline.neighbours(lesson.pk)
    if following is None and outline.final_tests:
        return redirect(outline.final_tests[0].url)
    return redirect(following.url if following else course.get_url(request))


@login_required
@require_GET
@pagecache.cached_page
def dashboard(request):
    site_for_request(request)  # the addresses of the next lessons need the site: cached
    in_progress, completed = dashboard_entries(
        user=request.user, language=translation.get_language(), request=request
    )
    return render(
        request,
        "progress/dashboard.html",
        {"in_progress": in_progress, "completed": completed},
    )
