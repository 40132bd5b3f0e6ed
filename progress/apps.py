from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """Enrolment, completion, certificates, xAPI and reports (filled by later issues)."""

    name = "progress"
    verbose_name = _("Progress")
