"""Issuing, revoking and re-issuing certificates. Each runs inside the caller's transaction or
its own, with the rows locked, so that whatever happens twice issues one certificate."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.events import Kind, event_record
from progress.models import Enrolment

from . import signing
from .claims import claim_build
from .models import Certificate, CertificateBranding, verification_code

logger = logging.getLogger(__name__)


class CertificateError(Exception):
    """An action on a certificate that cannot be done; the message says why."""


def _certificate_new(enrolment: Enrolment, course, now) -> Certificate:
    code = verification_code()
    branding = CertificateBranding.load()
    claim = claim_build(
        enrolment=enrolment, course=course, code=code, issued_at=now, issuer=branding.issuer_name
    )
    key = signing.current_key()
    return Certificate.objects.create(
        enrolment=enrolment,
        code=code,
        issued_at=now,
        expires_on=claim["expires_on"],
        language=claim["language"],
        claim=claim,
        key_id=key.key_id,
        signature=key.sign(claim),
    )


def certificate_issue(*, enrolment: Enrolment, course, now) -> Certificate | None:
    """On course completion, inside its transaction (the enrolment row is locked by the
    caller): the certificate row, its learning event, and delivery once committed."""
    if not course.issues_certificate or enrolment.user is None:
        return None
    if enrolment.user.verified_at is None:
        # Held back until the account is proven (issue 16): certificates_of_verified_user.
        return None
    if Certificate.objects.filter(enrolment=enrolment, superseded_at__isnull=True).exists():
        return None
    certificate = _certificate_new(enrolment, course, now)
    event_record(
        enrolment=enrolment,
        kind=Kind.CERTIFICATE_ISSUED,
        page=course,
        at=now,
        details={"verification_url": certificate.claim["verification_url"]},
    )
    transaction.on_commit(lambda: delivery_request([certificate.pk]))
    return certificate


@transaction.atomic
def certificates_of_verified_user(user) -> list[Certificate]:
    """Issue the certificates held back while the account was not verified: one per
    completed enrolment of a certificate course that has none (the rows locked, so it
    happens once)."""
    issued = []
    enrolments = Enrolment.objects.select_for_update().filter(
        user=user, completed_at__isnull=False, course__isnull=False
    )
    for enrolment in enrolments:
        enrolment.user = user  # verified in memory already
        course = enrolment.course.specific
        certificate = certificate_issue(enrolment=enrolment, course=course, now=timezone.now())
        if certificate is not None:
            issued.append(certificate)
    return issued


def delivery_request(certificate_ids) -> None:
    """Ask Celery to render and send; if the broker cannot take it now, the sweeper will."""
    from kombu.exceptions import OperationalError

    from .tasks import certificate_deliver

    for certificate_id in certificate_ids:
        try:
            certificate_deliver.apply_async(
                args=[certificate_id],
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
            )
        except OperationalError as error:
            logger.warning("Broker unavailable, the sweeper will deliver: %s", error)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by=None) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate."))
    if len(reason) > 300:
        raise CertificateError(_("The reason can be at most 300 characters long."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise CertificateError(_("This certificate is already revoked."))
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.save(update_fields=["revoked_at", "revocation_reason"])
    logger.info("Certificate %s revoked by %s: %s", locked.pk, getattr(by, "pk", None), reason)
    return locked


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by=None) -> Certificate:
    """A new certificate for the same completion against the course as published now (after
    a content change); the old one shows as replaced and points at the new one."""
    enrolment = Enrolment.objects.select_for_update().get(pk=certificate.enrolment_id)
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.superseded_at is not None:
        raise CertificateError(_("This certificate has already been replaced."))
    if old.revoked_at is not None:
        raise CertificateError(_("A revoked certificate cannot be re-issued."))
    if enrolment.user is None or enrolment.course is None:
        raise CertificateError(_("The learner or the course no longer exists."))
    now = timezone.now()
    old.superseded_at = now
    old.save(update_fields=["superseded_at"])
    new = _certificate_new(enrolment, enrolment.course.specific, now)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    logger.info("Certificate %s re-issued as %s by %s", old.pk, new.pk, getattr(by, "pk", None))
    transaction.on_commit(lambda: delivery_request([new.pk]))
    return new


def certificates_of_deleted_user(enrolment_ids) -> int:
    """When a learner deletes their account: their certificates are revoked and their name
    is removed from the stored claim (the signature then no longer matches, on purpose). The
    verification page goes by the row's revocation, so it says "revoked" with the reason and
    the date, and that the name was erased; the PDF is deleted."""
    now = timezone.now()
    count = 0
    for certificate in Certificate.objects.select_for_update().filter(
        enrolment_id__in=enrolment_ids
    ):
        certificate.claim = {**certificate.claim, "learner": {"name": ""}}
        if certificate.revoked_at is None:
            certificate.revoked_at = now
            certificate.revocation_reason = "account deleted / kontot raderat"
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        certificate.save()
        count += 1
    return count


@transaction.atomic
def certificate_delivery_retry(certificate_id: int) -> bool:
    """An operator's "try again": forget the failures and hand the certificate to a run."""
    from .tasks import failing

    restarted = (
        failing()
        .filter(pk=certificate_id)
        .update(render_attempts=0, email_attempts=0, next_attempt_at=None)
    )
    if restarted:
        transaction.on_commit(lambda: delivery_request([certificate_id]))
    return bool(restarted)
