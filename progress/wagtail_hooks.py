"""Admin wiring of progress: lessons are for enrolled learners (checked, and the visit
recorded, before Wagtail serves one), and bulk enrolment."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks

from courses.models import LessonPage
from courses.selectors import course_of_page

from . import pagecache, services


@hooks.register("before_serve_page")
def lesson_for_enrolled_learners(page, request, serve_args, serve_kwargs):
    if not isinstance(page, LessonPage):
        return None
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = course_of_page(page)
    if course is None:
        raise Http404(_("This page is not part of a course."))
    # The page and its template tags reuse these instead of asking the database again.
    request.course_page = course
    try:
        request.lesson_progress = services.lesson_view(user=user, lesson=page, course=course)
        pagecache.seen_record(request, request.lesson_progress)
    except services.ProgressError as error:
        if user.has_perm("wagtailadmin.access_admin"):
            return None  # authors and reviewers read lessons without enrolling
        messages.info(request, str(error))
        return redirect(course.get_url(request))
    return None


@hooks.register("register_admin_urls")
def register_bulk_enrol_url():
    from django.urls import path

    from .admin_views import bulk_enrol

    return [path("progress/enrol/", bulk_enrol, name="progress_bulk_enrol")]


@hooks.register("register_admin_menu_item")
def register_bulk_enrol_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    class BulkEnrolMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("progress.add_enrolment")

    return BulkEnrolMenuItem(
        _("Enrol learners"), reverse("progress_bulk_enrol"), icon_name="group", order=900
    )
