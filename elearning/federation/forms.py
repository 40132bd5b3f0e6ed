from django import forms
from django.utils.translation import gettext_lazy as _


class DiscoveryForm(forms.Form):
    q = forms.CharField(
        label=_("Your organisation"),
        max_length=100,
        required=False,
        help_text=_("A municipality, region, county board or other organisation, e.g. 'Malmö'."),
    )
