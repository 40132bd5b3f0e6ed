"""The form an administrator or a manager grants a time accommodation with (issue 14)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TimeAccommodation


class AccommodationForm(forms.Form):
    email = forms.EmailField(
        label=_("The learner's e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Accommodation"),
        choices=[("", _("Choose"))] + list(TimeAccommodation.Kind.choices),
        help_text=_("It applies to every timed quiz the learner takes, open attempts included."),
    )
    multiplier = forms.DecimalField(
        label=_("Multiply the time limit by"),
        required=False,
        min_value=Decimal("1.1"),
        max_value=Decimal("5.0"),
        max_digits=2,
        decimal_places=1,
        localize=True,
        help_text=_("For “the limit multiplied”: e.g. 1.5 gives 30 minutes for a 20-minute quiz."),
    )
    extra_minutes = forms.IntegerField(
        label=_("Minutes added"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("For “minutes added”."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the decision rests on (e.g. “the learner's request, 3 March”). Write no "
            "diagnosis or other health information."
        ),
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == TimeAccommodation.Kind.MULTIPLIER and data.get("multiplier") is None:
            self.add_error("multiplier", _("Give the factor the time limit is multiplied by."))
        if kind == TimeAccommodation.Kind.MINUTES and not data.get("extra_minutes"):
            self.add_error("extra_minutes", _("Give the number of minutes added."))
        return data
