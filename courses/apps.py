from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from elearning.core.services import setup_step_register

        from . import signal_handlers
        from .services import page_tree_ensure

        signal_handlers.connect()
        setup_step_register("pages", page_tree_ensure, order=20)
