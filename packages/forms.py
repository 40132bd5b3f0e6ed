"""The admin form of package lessons: the package is uploaded with the page."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .inspection import PackageRefused, package_inspect


class PackageLessonForm(WagtailAdminPageForm):
    package_upload = forms.FileField(
        label=_("Package file"),
        required=False,
        help_text=_(
            "A SCORM 1.2 or 2004 package (.zip) for a SCORM lesson, an .h5p file for an H5P "
            "lesson. Uploading a new file replaces the lesson's package."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("package_upload")
        model = self._meta.model
        if upload:
            try:
                inspected = package_inspect(upload)
            except PackageRefused as error:
                self.add_error("package_upload", str(error))
                return cleaned
            if inspected.kind not in model.accepted_kinds:
                message = (
                    _("This is an H5P file: add it as an H5P lesson.")
                    if inspected.kind == "h5p"
                    else _("This is a SCORM package: add it as a SCORM lesson.")
                )
                self.add_error("package_upload", message)
        elif not self.instance.package_id:
            self.add_error("package_upload", _("Upload the lesson's package."))
        return cleaned

    def save(self, commit=True):
        from .services import package_create

        upload = self.cleaned_data.get("package_upload")
        if upload:
            user = getattr(self, "for_user", None)
            self.instance.package = package_create(
                upload, name=upload.name, user=user, kinds=self._meta.model.accepted_kinds
            )
        return super().save(commit=commit)
