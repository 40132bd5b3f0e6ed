from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    """xAPI statements: the profile, statements built from learning events, the outbox and
    its delivery to one or more Learning Record Stores."""

    name = "xapi"
    verbose_name = _("xAPI statements")

    def ready(self):
        from elearning.core.health import health_check_register
        from elearning.core.services import setup_step_register

        from . import signal_handlers
        from .selectors import lrs_health
        from .services import lrs_from_environment

        signal_handlers.connect()
        setup_step_register("lrs", lrs_from_environment, order=40)
        health_check_register("lrs", lrs_health)
        # Issue 14: the outbox's copy of a delivered statement is kept for a limited time.
        from elearning.core.retention import retention_register
        from elearning.legal.recipients import recipients_register

        from .retention import (
            lrs_recipients_describe,
            statement_payloads_clear,
            statement_payloads_describe,
        )

        retention_register(
            "xapi-payloads",
            setting="RETENTION_STATEMENT_PAYLOAD_DAYS",
            describe=statement_payloads_describe,
            apply=statement_payloads_clear,
            order=30,
        )
        # ...and the privacy notice names the stores that receive statements now.
        recipients_register("lrs", lrs_recipients_describe)
