"""The accessibility feedback form: refused input is explained and stores nothing."""

import re
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .models import FeedbackMessage

MAX_MESSAGE = 5000
# C0 controls but tab and line breaks: nobody types them, and PostgreSQL cannot store NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def referrer_page(request) -> str:
    """The path of the page the visitor came from, when it is safe to show and store: one of
    this site's pages, without query or fragment, and not an address that carries a secret
    (password reset and opt-out links carry tokens; only pages and id-only views qualify)."""
    referrer = request.META.get("HTTP_REFERER", "")
    if not referrer or len(referrer) > 2000:
        return ""
    if not url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    path = urlsplit(referrer).path
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    if match.url_name == "wagtail_serve" or all(
        str(value).isdigit() for value in match.kwargs.values()
    ):
        return path
    return ""


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=FeedbackMessage.Kind.choices,
        widget=forms.RadioSelect,
        initial=FeedbackMessage.Kind.SHORTCOMING,
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        error_messages={"required": _("Write what your message is about.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What did not work, or which content you need in another form (for example as "
            "plain text, read aloud or in easy Swedish)."
        ),
    )
    page_url = forms.CharField(
        label=_("Which page is it about?"),
        max_length=500,
        required=False,
        help_text=_("The page's address or a description. Filled in from where you came from."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Needed for an answer and a receipt. We use it only for this matter."),
    )
    # A honeypot: hidden from people (and from assistive technology), filled in by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def _plain(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if CONTROL.search(value):
            raise forms.ValidationError(_("The text has control characters it cannot have."))
        return value

    def clean_message(self):
        return self._plain("message")

    def clean_page_url(self):
        return self._plain("page_url").strip()

    def clean_name(self):
        return self._plain("name").strip()

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This field must be left empty."))
        return ""

    @property
    def visible(self):
        return [field for field in self if field.name != "website"]
