"""Lessons are for enrolled learners: checked, and the visit recorded, before Wagtail serves one."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from wagtail import hooks

from courses.models import LessonPage

from . import services


@hooks.register("before_serve_page")
def lesson_for_enrolled_learners(page, request, serve_args, serve_kwargs):
    if not isinstance(page, LessonPage):
        return None
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = services.course_of(page)
    # The page and its template tags reuse these instead of asking the database again.
    request.course_page = course
    try:
        request.lesson_progress = services.lesson_view(user=user, lesson=page, course=course)
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


@hooks.register("register_admin_urls")
def register_xapi_urls():
    from django.urls import path

    from .xapi.admin_views import health, retry_failed

    return [
        path("xapi/", health, name="xapi_health"),
        path("xapi/<id:lrs_id>/retry/", retry_failed, name="xapi_retry_failed"),
    ]


@hooks.register("register_settings_menu_item")
def register_xapi_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    class XapiMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("progress.change_learningrecordstore")

    return XapiMenuItem(_("xAPI delivery"), reverse("xapi_health"), icon_name="cogs", order=900)


@hooks.register("register_admin_viewset")
def register_lrs_viewset():
    from .xapi.viewsets import LearningRecordStoreViewSet

    return LearningRecordStoreViewSet("learning_record_stores")


@hooks.register("register_admin_urls")
def register_certificate_urls():
    from django.urls import path

    from .certificates import admin_views

    return [
        path("certificates/", admin_views.certificate_list, name="certificates_admin"),
        path("certificates/<id:pk>/revoke/", admin_views.revoke, name="certificates_admin_revoke"),
        path("certificates/<id:pk>/retry/", admin_views.retry, name="certificates_admin_retry"),
        path(
            "certificates/<id:pk>/reissue/",
            admin_views.reissue,
            name="certificates_admin_reissue",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_certificate_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    from .certificates.admin_views import PERMISSION

    class CertificateMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(PERMISSION)

    return CertificateMenuItem(
        _("Certificates"), reverse("certificates_admin"), icon_name="doc-full", order=910
    )
