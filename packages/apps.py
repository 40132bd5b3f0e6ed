from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    """Lessons that play content packages made elsewhere: SCORM 1.2, SCORM 2004 and H5P."""

    name = "packages"
    verbose_name = _("Content packages")
