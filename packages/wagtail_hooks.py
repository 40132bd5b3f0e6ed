"""Admin wiring of package lessons: the authors' statistics."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .access import is_staff


@hooks.register("register_admin_urls")
def register_statistics_urls():
    from .admin_views import lesson_statistics, statistics_index

    return [
        path("packages/statistics/", statistics_index, name="package_statistics_index"),
        path("packages/statistics/<id:lesson_id>/", lesson_statistics, name="package_statistics"),
    ]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(
        _("Package lesson statistics"),
        reverse("package_statistics_index"),
        icon_name="table",
        order=265,
    )
