"""Celery: render each new certificate, then e-mail it, each exactly once.

Both steps hold the certificate's row lock (SELECT … FOR UPDATE SKIP LOCKED) while they work
and record their result in the same transaction: a second run of the task skips a row that
is being worked on and finds a finished one finished; a worker killed mid-way releases the
lock with its connection, and the sweeper (every minute) hands the row to another run.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .email import certificate_email
from .models import Certificate
from .render import certificate_pdf

logger = logging.getLogger(__name__)

# After this many failed renders or sends a certificate waits for an operator (admin view):
# with the backoff below, about six hours of an unreachable mail relay.
MAX_ATTEMPTS = 12


def _locked(certificate_id: int, **conditions):
    return (
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("enrolment__user")
        .filter(pk=certificate_id, revoked_at__isnull=True, superseded_at__isnull=True)
        .filter(**conditions)
        .first()
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, … up to 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _failure_record(certificate_id: int, field: str, error: Exception) -> timedelta:
    """Count the failure and set when the sweeper may try again; returns that delay."""
    failed = Certificate.objects.filter(pk=certificate_id).values_list(field, flat=True).first()
    delay = retry_delay((failed or 0) + 1)
    Certificate.objects.filter(pk=certificate_id).update(
        **{field: F(field) + 1},
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=timezone.now() + delay,
    )
    return delay


def certificate_render(certificate_id: int) -> bool:
    """Render and store the PDF unless done or in hand elsewhere; True if it rendered now."""
    with transaction.atomic():
        certificate = _locked(certificate_id, rendered_at__isnull=True)
        if certificate is None:
            return False
        pdf = certificate_pdf(certificate)
        certificate.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
        certificate.rendered_at = timezone.now()
        certificate.render_attempts += 1
        certificate.last_error = ""
        certificate.save(update_fields=["pdf", "rendered_at", "render_attempts", "last_error"])
        return True


def certificate_send(certificate_id: int) -> bool:
    """E-mail the rendered PDF to the learner unless sent or in hand elsewhere."""
    with transaction.atomic():
        certificate = _locked(certificate_id, rendered_at__isnull=False, emailed_at__isnull=True)
        if certificate is None:
            return False
        user = certificate.enrolment.user
        if user is not None and user.is_active:
            certificate_email(certificate, user).send()
        certificate.emailed_at = timezone.now()
        certificate.email_attempts += 1
        certificate.save(update_fields=["emailed_at", "email_attempts"])
        return True


@shared_task(bind=True, max_retries=5, ignore_result=True)
def certificate_deliver(self, certificate_id: int) -> None:
    try:
        certificate_render(certificate_id)
    except Exception as error:  # noqa: BLE001 - any rendering failure is recorded and retried
        logger.exception("Rendering certificate %s failed", certificate_id)
        delay = _failure_record(certificate_id, "render_attempts", error)
        raise self.retry(countdown=delay.total_seconds()) from error
    try:
        certificate_send(certificate_id)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Sending certificate %s failed: %s", certificate_id, error)
        delay = _failure_record(certificate_id, "email_attempts", error)
        raise self.retry(countdown=delay.total_seconds()) from error


def undelivered(grace=timedelta(seconds=30)):
    """Certificates still to render or send, and not given up on; those issued in the last
    ``grace`` are left to the task enqueued when they were issued."""
    return Certificate.objects.filter(
        revoked_at__isnull=True, superseded_at__isnull=True, issued_at__lt=timezone.now() - grace
    ).filter(
        Q(rendered_at__isnull=True, render_attempts__lt=MAX_ATTEMPTS)
        | Q(emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS)
    )


def due(grace=timedelta(seconds=30)):
    """Undelivered certificates whose wait after a failure, if any, is over."""
    return undelivered(grace).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )


def failing():
    """Certificates whose PDF or e-mail failed more than once, given up on or not (for the
    operators' list)."""
    return Certificate.objects.filter(revoked_at__isnull=True, superseded_at__isnull=True).filter(
        Q(rendered_at__isnull=True, render_attempts__gte=2)
        | Q(emailed_at__isnull=True, email_attempts__gte=2)
    )


@shared_task(ignore_result=True)
def certificates_sweep() -> int:
    """Hand every certificate that is due to a delivery run (lost messages, killed workers,
    retries after failures)."""
    from .services import delivery_request

    ids = list(due().order_by("pk").values_list("pk", flat=True)[:500])
    delivery_request(ids)
    return len(ids)


# Messages queued before certificates left progress (release 0.2) carry the old task names;
# these aliases hand them on to the tasks above. Remove once every queue has been drained
# (docs/architecture.md, "Upgrading").
@shared_task(name="progress.certificates.tasks.certificate_deliver", ignore_result=True)
def legacy_certificate_deliver(certificate_id: int) -> None:
    """Old name of ``certificate_deliver``."""
    certificate_deliver.delay(certificate_id)


@shared_task(name="progress.certificates.tasks.certificates_sweep", ignore_result=True)
def legacy_certificates_sweep() -> int:
    """Old name of ``certificates_sweep``."""
    return certificates_sweep()
