from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Manager reports: completion by course, organisation, role and month in the manager's
    scope, exports and the monthly digest. Reads progress; owns no tables."""

    name = "reports"
    verbose_name = _("Reports")
