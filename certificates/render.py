"""The certificate as a PDF: WeasyPrint from an HTML/CSS template, A4 landscape, tagged
(PDF/UA-1 as far as WeasyPrint goes: title, language, real text, alternative texts), the QR
code with the verification address, and the signed claim in the document's metadata."""

from __future__ import annotations

import base64
import mimetypes
from datetime import date

import segno
from django.template.loader import render_to_string
from django.utils import translation

from . import signing
from .models import Certificate, CertificateBranding


def _image_data_uri(image) -> str | None:
    """A Wagtail image embedded in the page (no fetching while rendering)."""
    if image is None:
        return None
    try:
        with image.file.open("rb") as file:
            data = file.read()
    except (OSError, ValueError):
        return None
    kind = mimetypes.guess_type(image.file.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_html(certificate: Certificate, branding: CertificateBranding | None = None) -> str:
    branding = branding or CertificateBranding.load()
    claim = certificate.claim
    language = claim.get("language", "sv")
    minutes = claim["course"].get("estimated_minutes") or 0
    with translation.override(language):
        return render_to_string(
            "certificates/certificate.html",
            {
                "claim": claim,
                "language": language,
                "completed_on": date.fromisoformat(claim["completed_on"]),
                "expires_on": claim["expires_on"] and date.fromisoformat(claim["expires_on"]),
                "hours": round(minutes / 60, 1),
                "qr": qr_data_uri(claim["verification_url"]),
                "logo": _image_data_uri(branding.logo),
                "signature": _image_data_uri(branding.signature_image),
                "signatory": branding.signatory_name,
                "signatory_title": branding.signatory_title(language),
                # WeasyPrint keeps letters and digits of custom names, lower-cased.
                "metadata": {
                    "certificateclaim": signing.canonical(claim).decode(),
                    "certificatekeyid": certificate.key_id,
                    "certificatesignature": certificate.signature,
                },
            },
        )


def certificate_pdf(certificate: Certificate, branding: CertificateBranding | None = None) -> bytes:
    from weasyprint import HTML

    html = certificate_html(certificate, branding)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
