"""Identity providers in the Wagtail admin (Settings → Identity providers); the client
secret is write-only: stored encrypted, never rendered back, kept when left empty."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import IdentityProvider


class IdentityProviderForm(forms.ModelForm):
    oidc_client_secret = forms.CharField(
        label=_("Client secret (OpenID Connect)"),
        required=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved. Leave empty to keep the current secret."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "kind",
            "enabled",
            "organisations",
            "organisation_from",
            "organisation",
            "organisation_attribute",
            "saml_metadata_url",
            "saml_metadata_xml",
            "oidc_issuer",
            "oidc_client_id",
            "oidc_client_secret",
            "email_attribute",
            "given_name_attribute",
            "family_name_attribute",
        ]
        widgets = {"organisations": forms.SelectMultiple(attrs={"size": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.has_client_secret:
            self.fields["oidc_client_secret"].help_text = _(
                "A secret is stored. Never shown again; type a new one to replace it."
            )

    def save(self, commit=True):
        secret = self.cleaned_data.get("oidc_client_secret")
        if secret:
            self.instance.oidc_client_secret = secret
        return super().save(commit=commit)


class IdentityProviderViewSet(ModelViewSet):
    model = IdentityProvider
    icon = "key"
    menu_label = _("Identity providers")
    add_to_settings_menu = True
    list_display = ["name", "kind", "slug", "enabled", "organisation_from"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "slug"]
    # The client secret is never listed or exported.
    list_export = ["name", "kind", "slug", "enabled", "oidc_issuer", "saml_metadata_url"]

    def get_form_class(self, for_update=False):
        return IdentityProviderForm
