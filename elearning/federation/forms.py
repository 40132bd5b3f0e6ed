from allauth.socialaccount.forms import SignupForm as SocialSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _


class DiscoveryForm(forms.Form):
    q = forms.CharField(
        label=_("Your organisation"),
        max_length=100,
        required=False,
        help_text=_("A municipality, region, county board or other organisation, e.g. 'Malmö'."),
    )


class AddressSignupForm(SocialSignupForm):
    """allauth's sign-up form after an organisation's sign-in that released no e-mail address
    (e-ID): only the address, with our label and help (``SOCIALACCOUNT_FORMS["signup"]``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = _("E-mail address")
        field.help_text = _("Your work address, if you have one. We never show it to others.")
        field.widget.attrs.update({"autocomplete": "email"})
