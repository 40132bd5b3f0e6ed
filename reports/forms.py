"""The report filters: course, organisation, county, role, date range, sort and page.

Choices are built from the manager's scope, so a value outside it is refused as an invalid
choice: a filter can only ever narrow what the manager sees.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from elearning.accounts.models import RoleCategory
from elearning.accounts.scope import ManagerScope

from .selectors import Filters, course_choices, place_choices

FORMATS = ("html", "csv", "xlsx")


class ReportFilterForm(forms.Form):
    course = forms.ChoiceField(label=_("Course"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    date_from = forms.DateField(
        label=_("Enrolled from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    date_to = forms.DateField(
        label=_("Enrolled until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    sort = forms.CharField(label=_("Sort"), required=False, widget=forms.HiddenInput)

    def fields_key(self) -> str:
        """A digest of everything the visible fields render from: the language, and each
        field's value, choices and errors. The page caches the fields' HTML under it
        (rendering a select of 300 organisations cost 20 ms a page); equal inputs, equal
        HTML, so a cached copy is never another scope's or another request's."""
        parts = [translation.get_language() or ""]
        for field in self.visible_fields():
            choices = getattr(field.field, "choices", ())
            parts.append(repr((field.name, field.value(), list(choices), field.errors)))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    page = forms.IntegerField(label=_("Page"), required=False, widget=forms.HiddenInput)
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[(value, value) for value in FORMATS],
        widget=forms.HiddenInput,
    )

    def __init__(
        self,
        data,
        *,
        scope: ManagerScope,
        language: str,
        sort_keys: tuple[str, ...] = (),
        course_required: bool = False,
    ):
        super().__init__(data)
        self.sort_keys = sort_keys
        everything = [("", _("All"))]
        courses = [(str(key), title) for key, title in course_choices(language)]
        self.fields["course"].choices = ([] if course_required else everything) + courses
        self.fields["course"].required = course_required and bool(courses)
        if course_required and courses and not data.get("course"):
            # The module report needs one course: the first, until the manager picks another.
            self.data = data.copy()
            self.data["course"] = courses[0][0]
        places = place_choices(scope)
        self.fields["organisation"].choices = everything + [
            (str(pk), name) for pk, name in places.organisations
        ]
        self.fields["county"].choices = everything + [
            (str(pk), name) for pk, name in places.counties
        ]
        self.fields["role"].choices = everything + list(RoleCategory.choices)

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"]
        if sort and sort.lstrip("-") not in self.sort_keys:
            raise ValidationError(_("This report cannot be sorted that way."))
        return sort

    def clean_page(self) -> int:
        page = self.cleaned_data["page"]
        if page is not None and page < 1:
            raise ValidationError(_("Pages are numbered from 1."))
        return page or 1

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            course_key=UUID(data["course"]) if data.get("course") else None,
            organisation_id=int(data["organisation"]) if data.get("organisation") else None,
            county_id=int(data["county"]) if data.get("county") else None,
            role=data.get("role") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
