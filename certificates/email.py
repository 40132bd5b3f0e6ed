"""The e-mail that brings the learner their certificate, in their language, PDF attached."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _


def certificate_email(certificate, user) -> EmailMessage:
    claim = certificate.claim
    with translation.override(claim.get("language", "sv")):
        subject = _("Your certificate: %(course)s") % {"course": claim["course"]["title"]}
        body = render_to_string(
            "certificates/email.txt",
            {"claim": claim, "user": user, "site_url": settings.SITE_URL},
        )
        filename = f"{slugify(_('certificate'))}-{slugify(claim['course']['title'])[:60]}.pdf"
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    certificate.pdf.open("rb")
    try:
        message.attach(filename, certificate.pdf.read(), "application/pdf")
    finally:
        certificate.pdf.close()
    return message
