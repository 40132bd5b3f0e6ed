"""LRS configuration in the admin; the password is write-only."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import LearningRecordStore


class LearningRecordStoreForm(forms.ModelForm):
    endpoint = forms.URLField(
        label=_("Endpoint"),
        assume_scheme="https",
        help_text=_("The xAPI base address, ending in /xAPI/ or similar."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved. Leave empty to keep the current password."),
    )

    class Meta:
        model = LearningRecordStore
        fields = [
            "name",
            "endpoint",
            "username",
            "password",
            "active",
            "organisations",
            "paused_reason",
        ]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password and self.instance.pk:
            return self.instance.password  # unchanged
        return password


class LearningRecordStoreViewSet(ModelViewSet):
    model = LearningRecordStore
    icon = "cogs"
    menu_label = _("Learning record stores")
    add_to_settings_menu = True
    list_display = ["name", "endpoint", "username", "active", "paused_reason"]
    # The password is never listed or exported.
    list_export = ["name", "endpoint", "username", "active"]

    def get_form_class(self, for_update=False):
        return LearningRecordStoreForm
