from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Sign-in through the organisations' own identity providers (SAML 2.0, OpenID Connect)."""

    name = "elearning.federation"
    label = "federation"
    verbose_name = _("Identity providers")
    default = True

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .signal_handlers import single_sign_out_prepare

        user_logged_out.connect(single_sign_out_prepare, dispatch_uid="federation-sign-out")
