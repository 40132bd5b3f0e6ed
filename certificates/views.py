"""Public verification (no sign-in, rate-limited), the learner's PDF, the published keys, and
the managers' ZIP of their organisations' certificates."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import get_usage

from elearning.accounts.scope import manager_scope

from . import signing
from .forms import CertificateDownloadForm
from .models import Certificate

# Verification requests per client address and minute: plenty for people checking
# certificates, far too few to guess 160-bit codes (or even to scan a list of stolen ones).
VERIFY_LIMIT_PER_MINUTE = 30

# Signed over when a code is unknown, so that a miss costs what a hit costs.
_DUMMY_CLAIM = {"code": "", "type": "none"}
_DUMMY_SIGNATURE = signing.b64url(bytes(64))


def _rate_limited(request) -> int | None:
    """Seconds until the client may verify again, or None while under the limit. Counted per
    client address as seen through the trusted proxies (``elearning.core.client``)."""
    usage = get_usage(
        request,
        group="certificate-verify",
        key="elearning.core.client.ratelimit_key",
        rate=f"{VERIFY_LIMIT_PER_MINUTE}/m",
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


def claim_verifies(certificate: Certificate) -> bool:
    """Whether the stored claim is the one signed for this code (untouched since issue)."""
    return certificate.claim.get("code") == certificate.code and signing.verify(
        certificate.claim, certificate.key_id, certificate.signature
    )


def verification(certificate: Certificate | None) -> dict:
    """What the verification page and its JSON say about a certificate (or an unknown code)."""
    if certificate is None:
        signing.verify(_DUMMY_CLAIM, signing.current_key().key_id, _DUMMY_SIGNATURE)
        return {"found": False}
    claim = certificate.claim
    genuine = claim_verifies(certificate)
    # The row's revocation is authoritative, signature or not: it only ever takes trust away,
    # and the one way a revoked row loses its signature is on purpose, when the learner deletes
    # their account and their name is erased from the stored claim.
    if certificate.revoked_at is not None:
        status = Certificate.Status.REVOKED.value
    elif not genuine:
        status = "invalid"
    elif certificate.superseded_at is not None:
        status = Certificate.Status.SUPERSEDED.value
    elif claim.get("expires_on") and claim["expires_on"] < timezone.localdate().isoformat():
        status = Certificate.Status.EXPIRED.value
    else:
        status = Certificate.Status.VALID.value
    successor = certificate.superseded_by
    return {
        "issued_at": datetime.fromisoformat(claim["issued_at"]) if claim.get("issued_at") else None,
        "found": True,
        "status": status,
        "signature_valid": genuine,
        "claim": claim,
        "key_id": certificate.key_id,
        "signature": certificate.signature,
        "revoked_at": certificate.revoked_at,
        "revocation_reason": certificate.revocation_reason,
        # Erased with the account: the claim still names the course and date, not the person.
        "name_erased": not (claim.get("learner") or {}).get("name"),
        "replaced_by": successor.claim.get("verification_url") if successor else None,
    }


@require_GET
def certificate_verify(request, code: str):
    wait = _rate_limited(request)
    if wait is not None:
        response = HttpResponse(
            _("Too many requests. Wait a minute and try again."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(wait)
        return response
    certificate = Certificate.objects.select_related("superseded_by").filter(code=code[:64]).first()
    result = verification(certificate)
    as_json = request.GET.get("format") == "json"
    if not result["found"]:
        if as_json:
            response = JsonResponse({"status": "not_found"}, status=404)
        else:
            response = render(request, "certificates/not_found.html", status=404)
        response.final_not_found = True
        return response
    if as_json:
        body = {
            **{key: result[key] for key in ("status", "signature_valid", "key_id", "signature")},
            "claim": result["claim"],
            "revoked_at": result["revoked_at"].isoformat() if result["revoked_at"] else None,
            "revocation_reason": result["revocation_reason"] or None,
            "replaced_by": result["replaced_by"],
            "keys": settings.SITE_URL + "/.well-known/certificate-keys.json",
        }
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    return render(request, "certificates/verify.html", result)


@require_GET
def certificate_keys(request):
    response = JsonResponse(signing.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@require_GET
def certificate_pdf(request, code: str):
    """The learner's own PDF (nobody else's: 404 for any other code). A certificate that is
    revoked, replaced or whose stored claim no longer verifies is withdrawn: 410 with a page
    that says why and links to the verification page, never the PDF as if it were valid."""
    certificate = (
        Certificate.objects.filter(code=code[:64], enrolment__user=request.user)
        .exclude(pdf="")
        .first()
    )
    if certificate is None:
        raise Http404
    result = verification(certificate)
    if result["status"] not in (Certificate.Status.VALID, Certificate.Status.EXPIRED):
        return render(
            request,
            "certificates/withdrawn.html",
            {**result, "code": certificate.code},
            status=410,
        )
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{_('certificate')}-{certificate.issued_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@login_required
def certificates_download(request):
    """Managers: a ZIP of the certificates of the organisations in their scope, issued in a
    date range, with a list of every certificate and its status."""
    scope = manager_scope(request.user)
    if scope is None or scope.is_empty:
        raise PermissionDenied
    form = CertificateDownloadForm(request.GET or None)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return render(request, "certificates/download.html", {"form": form}, status=status)
    certificates = (
        Certificate.objects.filter(scope.organisation_q("enrolment__organisation__"))
        .filter(
            issued_at__date__gte=form.cleaned_data["issued_from"],
            issued_at__date__lte=form.cleaned_data["issued_until"],
        )
        .select_related("enrolment__organisation", "superseded_by")
        .order_by("issued_at", "pk")
    )
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(
        [_("Code"), _("Name"), _("Course"), _("Organisation"), _("Completed"), _("Status")]
    )
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=200):
            claim = certificate.claim
            organisation = certificate.enrolment.organisation
            # The status the public page gives: a claim altered since it was signed is
            # "invalid", and only a valid certificate whose stored claim verifies goes in.
            status = verification(certificate)["status"]
            writer.writerow(
                [
                    certificate.code,
                    _cell(str((claim.get("learner") or {}).get("name", ""))),
                    _cell(str((claim.get("course") or {}).get("title", ""))),
                    _cell(organisation.name if organisation else ""),
                    _cell(str(claim.get("completed_on", ""))),
                    status,
                ]
            )
            if certificate.pdf and status == Certificate.Status.VALID:
                with certificate.pdf.open("rb") as pdf:
                    archive.writestr(f"{certificate.code}.pdf", pdf.read())
        archive.writestr(_("certificates") + ".csv", "\ufeff" + listing.getvalue())
    spool.seek(0)
    first, last = form.cleaned_data["issued_from"], form.cleaned_data["issued_until"]
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{_('certificates')}-{first:%Y%m%d}-{last:%Y%m%d}.zip",
        content_type="application/zip",
    )


def _cell(text: str) -> str:
    """A spreadsheet must not run what a learner typed as their name."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
