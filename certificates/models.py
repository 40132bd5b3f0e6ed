"""The certificate row: the signed claim, its PDF and its status."""

from __future__ import annotations

import base64
import secrets
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


def verification_code() -> str:
    """160 random bits as 32 lower-case base32 characters: no hyphen for a line break to
    swallow, nothing to confuse when typed from paper."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()


class Certificate(models.Model):
    """One current certificate per enrolment; a re-issue supersedes the old row.

    ``claim`` is exactly what was signed (see ``claims.claim_canonical``); the columns beside it
    are copies for queries and must never be trusted over a verified claim.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Replaced by a newer certificate")

    enrolment = models.ForeignKey(
        "progress.Enrolment", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(
        _("verification code"), max_length=64, unique=True, default=verification_code
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8)
    # The signed claim and its Ed25519 signature (base64url) under the key with this id.
    claim = models.JSONField(_("claim"))
    key_id = models.CharField(_("key id"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)
    # Revocation (by an administrator, with a reason the verification page shows).
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    # A re-issue after a content change: the old row is marked first (which frees the one
    # current place of its enrolment), then points at its successor.
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    # Delivery: the PDF (rendered by a Celery task) and the e-mail with it attached.
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/%m/", blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)
    render_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # After a failure, when the sweeper may try again (backoff doubling up to an hour).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(superseded_at__isnull=True),
                name="certificate_one_current_per_enrolment",
            )
        ]
        indexes = [
            models.Index(
                fields=["issued_at"],
                condition=Q(rendered_at__isnull=True) | Q(emailed_at__isnull=True),
                name="certificate_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code[:8]}… ({self.issued_at:%Y-%m-%d})"

    def get_status_display(self) -> str:
        return self.Status(self.status()).label

    def status(self, today: date | None = None) -> str:
        # Revocation first: a replaced certificate that was then revoked (an account deleted,
        # an error found) is revoked, as the verification page says.
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.superseded_at is not None:
            return self.Status.SUPERSEDED
        today = today or timezone.localdate()
        if self.expires_on is not None and self.expires_on < today:
            return self.Status.EXPIRED
        return self.Status.VALID


@register_setting(icon="doc-full")
class CertificateBranding(BaseGenericSetting):
    """What certificates look like and who issues them; edited by administrators."""

    issuer_name = models.CharField(
        _("issuer"),
        max_length=150,
        default="Folkhälsoakademin",
        help_text=_("The organisation that issues the certificates, as printed on them."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A scanned signature, printed above the signatory's name."),
    )
    signatory_name = models.CharField(_("signatory"), max_length=150, blank=True)
    signatory_title_sv = models.CharField(
        _("signatory's title (Swedish)"), max_length=150, blank=True
    )
    signatory_title_en = models.CharField(
        _("signatory's title (English)"), max_length=150, blank=True
    )

    panels = [
        FieldPanel("issuer_name"),
        FieldPanel("logo"),
        FieldPanel("signature_image"),
        FieldPanel("signatory_name"),
        FieldPanel("signatory_title_sv"),
        FieldPanel("signatory_title_en"),
    ]

    class Meta:
        verbose_name = _("certificate design")

    def clean(self):
        # Printed on every certificate: no control characters (see elearning/accounts/names.py).
        from elearning.accounts.names import name_clean

        self.issuer_name = name_clean(self.issuer_name)
        self.signatory_name = name_clean(self.signatory_name)
        super().clean()

    def signatory_title(self, language: str) -> str:
        return self.signatory_title_en if language == "en" else self.signatory_title_sv
