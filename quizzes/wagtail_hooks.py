"""Quizzes in the Wagtail admin: a snippet with revisions and translations, and item
statistics for authors."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "locale", "pass_mark", "attempts_allowed"]
    list_filter = ["locale"]
    search_fields = ["title"]


register_snippet(QuizViewSet)


@hooks.register("register_admin_urls")
def register_statistics_urls():
    from .admin_views import quiz_statistics, statistics_index

    return [
        path("quizzes/statistics/", statistics_index, name="quiz_statistics_index"),
        path("quizzes/statistics/<id:quiz_id>/", quiz_statistics, name="quiz_statistics"),
    ]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("quizzes.change_quiz")


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(
        _("Quiz statistics"), reverse("quiz_statistics_index"), icon_name="table", order=260
    )
