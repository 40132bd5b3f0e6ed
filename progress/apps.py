from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """Enrolment, lesson, module and course completion, learning events, the learner's
    dashboard and their data. Other apps subscribe to its events (``progress.events``)."""

    name = "progress"
    verbose_name = _("Progress")

    def ready(self):
        from elearning.accounts.personal_data import personal_data_register

        from . import pagecache
        from .selectors import learner_enrolments_data

        pagecache.connect()

        personal_data_register("enrolments", export=learner_enrolments_data)
