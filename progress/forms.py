"""The administrator's bulk enrolment form."""

import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage

MAX_CSV_BYTES = 1024 * 1024
MAX_ROWS = 5000
# The longest field a row may have: an e-mail address is at most 254 characters (RFC 5321's
# path limit less its brackets), and nothing else in the file is read. A longer field, or a row
# the csv module refuses (it stops at 131,072 characters a field), is an error of that row only.
MAX_FIELD_CHARS = 254


class BulkEnrolForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=CoursePage.objects.none(),
        help_text=_("Learners are enrolled in the course in every language."),
    )
    addresses = forms.FileField(
        label=_("CSV file of e-mail addresses"),
        help_text=_(
            "One e-mail address per row, in the first column. A header row is skipped. "
            "At most 5,000 rows and 1 MB, and at most 254 characters in a field."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().filter(
            locale__language_code="sv"
        )

    def clean_addresses(self) -> list[tuple[int, str, str | None]]:
        """(row number, address, problem found while reading) triples; the addresses are
        checked one by one later, so that one bad row does not stop the others."""
        upload = self.cleaned_data["addresses"]
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError(_("Upload a .csv file."))
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                _("The file is not UTF-8 text. Save it as CSV (UTF-8).")
            ) from error
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = []
        reader = csv.reader(io.StringIO(text), dialect)
        number = 0
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                # The reader goes on with the next line after a refused row.
                rows.append((number, "", str(too_long_message())))
                continue
            if any(len(field) > MAX_FIELD_CHARS for field in row):
                shown = row[0][:40] + ("…" if len(row[0]) > 40 else "")
                rows.append((number, shown, str(too_long_message())))
                continue
            value = row[0].strip() if row else ""
            if number == 1 and value and "@" not in value:
                continue  # a header
            if value:
                rows.append((number, value, None))
        if not rows:
            raise ValidationError(_("The file has no e-mail addresses."))
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("The file has more than 5,000 rows."))
        return rows


def too_long_message() -> str:
    return _("A field of this row is longer than %(limit)s characters.") % {
        "limit": MAX_FIELD_CHARS
    }


def address_problem(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return str(_("Not a valid e-mail address."))
    return None
