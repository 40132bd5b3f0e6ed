from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "elearning.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import pagecache
        from .converters import converters_register

        converters_register()
        pagecache.connect()
