from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    """Quizzes authored in Wagtail and graded on the server (filled by the quiz issue)."""

    name = "quizzes"
    verbose_name = _("Quizzes")
