from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "elearning.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from elearning.core.services import setup_step_register

        setup_step_register("organisations", organisations_ensure, order=10)


def organisations_ensure() -> None:
    """Load (or update) the register of counties, municipalities, regions and national bodies."""
    from .loading import organisations_load
    from .models import County, Organisation

    organisations_load(county_model=County, organisation_model=Organisation)
