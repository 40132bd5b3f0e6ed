"""Administrators enrol learners in bulk from a CSV file, with a report per row."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import BulkEnrolForm
from .services import enrolment_bulk_create


def bulk_enrol(request):
    if not request.user.has_perm("progress.add_enrolment"):
        raise PermissionDenied
    form = BulkEnrolForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = enrolment_bulk_create(
            course=form.cleaned_data["course"], rows=form.cleaned_data["addresses"], by=request.user
        )
    counts = {
        status: sum(1 for row in report or [] if row.status == status)
        for status in ("enrolled", "already", "error")
    }
    return render(
        request,
        "progress/admin/bulk_enrol.html",
        {"form": form, "report": report, "counts": counts, "page_title": _("Enrol learners")},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
