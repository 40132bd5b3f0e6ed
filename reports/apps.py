from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Manager reports: completion by course, organisation, role and month in the manager's
    scope, exports and the monthly digest. Reads progress, and keeps one rollup of it
    (``models.EnrolmentFacts``) up to date from the learning events."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
