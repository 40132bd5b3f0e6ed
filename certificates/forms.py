from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

# A ZIP of more than a year of certificates is better asked for in parts.
MAX_RANGE = timedelta(days=366)


class CertificateDownloadForm(forms.Form):
    issued_from = forms.DateField(
        label=_("Issued from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_until = forms.DateField(
        label=_("Issued until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("issued_from"), data.get("issued_until")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first date must not be after the last."))
            if last - first > MAX_RANGE:
                raise forms.ValidationError(_("Choose at most a year at a time."))
        return data
