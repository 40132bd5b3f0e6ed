"""The public-health actors learners and managers belong to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    """A Swedish county (län): the unit that groups municipalities, a region and a county board."""

    # Official two-digit county code (länskod), e.g. "01" for Stockholms län.
    code = models.CharField(_("county code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A municipality, region, county board, national body or other employer of learners."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        COUNTY_BOARD = "county_board", _("County administrative board")
        NATIONAL = "national", _("National body")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    # Official code: four digits for a municipality (kommunkod), the two-digit county code for
    # a region or county board; a short slug for national bodies and "other".
    code = models.CharField(_("code"), max_length=32)
    # The county the organisation belongs to, so a county's municipalities can be found;
    # empty for national bodies and "other".
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    # Hidden from registration when an organisation merges or stops existing; history keeps it.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="organisation_unique_kind_code"),
        ]

    def __str__(self) -> str:
        return self.name
