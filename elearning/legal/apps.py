from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    """What the law asks of a Swedish public body's site (issue 14): the accessibility
    statement (lag 2018:1937) with its feedback form, and the privacy notice (GDPR art. 13)."""

    name = "elearning.legal"
    label = "legal"
    verbose_name = _("Accessibility and privacy")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from elearning.accounts.personal_data import personal_data_register
        from elearning.core.retention import retention_register
        from elearning.core.services import setup_step_register

        from .models import FeedbackMessage
        from .permissions import FeedbackPermissionPolicy
        from .services import (
            feedback_data,
            feedback_forget,
            feedback_old_delete,
            feedback_retention_describe,
            legal_pages_ensure,
        )

        register_permission_policy(FeedbackMessage, FeedbackPermissionPolicy(FeedbackMessage))

        # After the home pages (courses, order 20): the two pages go under them.
        setup_step_register("legal-pages", legal_pages_ensure, order=25)
        personal_data_register("feedback", export=feedback_data, forget=feedback_forget)
        retention_register(
            "feedback",
            setting="RETENTION_FEEDBACK_DAYS",
            describe=feedback_retention_describe,
            apply=feedback_old_delete,
            order=40,
        )
