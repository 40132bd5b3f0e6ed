from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates: issued when a course is completed, signed, rendered and mailed by Celery,
    verifiable by anyone at a public address."""

    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
