"""Administrators in the Wagtail admin: find a certificate, revoke it with a reason, re-issue
it after a content change, and see those still waiting for their PDF or e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Certificate
from .services import (
    CertificateError,
    certificate_delivery_retry,
    certificate_reissue,
    certificate_revoke,
)
from .tasks import MAX_ATTEMPTS, failing

PERMISSION = "certificates.change_certificate"


@permission_required(PERMISSION, raise_exception=True)
def certificate_list(request):
    query = request.GET.get("q", "").strip()[:100]
    certificates = Certificate.objects.select_related("enrolment__user").order_by("-issued_at")
    if query:
        certificates = certificates.filter(
            Q(code=query)
            | Q(enrolment__user__email__iexact=query)
            | Q(claim__learner__name__icontains=query)
        )
    return render(
        request,
        "certificates/admin/list.html",
        {
            "page_title": _("Certificates"),
            "certificates": certificates[:100],
            "query": query,
            "stuck": failing().order_by("-issued_at")[:50],
            "max_attempts": MAX_ATTEMPTS,
        },
    )


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def revoke(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        certificate_revoke(
            certificate=certificate, reason=request.POST.get("reason", ""), by=request.user
        )
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The certificate was revoked."))
    return redirect("certificates_admin")


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def reissue(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        certificate_reissue(certificate=certificate, by=request.user)
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A new certificate was issued; the learner gets it by e-mail."))
    return redirect("certificates_admin")


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def retry(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    if certificate_delivery_retry(certificate.pk):
        messages.success(request, _("The PDF and e-mail will be tried again now."))
    else:
        messages.error(request, _("This certificate has no failed delivery to try again."))
    return redirect("certificates_admin")
