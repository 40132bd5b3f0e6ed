"""Celery tasks of the legal app: the feedback form's e-mails."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from elearning.core.tasks import MAIL_ERRORS

from .models import AccessibilityStatementPage, FeedbackMessage

logger = logging.getLogger(__name__)


def _response_days(language: str) -> int:
    page = AccessibilityStatementPage.objects.live().filter(locale__language_code=language).first()
    return page.response_days if page else 5


def _send(feedback_id: int, *, field: str, build) -> None:
    """Send one of the two e-mails once: the row is locked, the mail sent, the time stored in
    the same transaction (a failed send rolls back and the task tries again)."""
    with transaction.atomic():
        feedback = FeedbackMessage.objects.select_for_update().filter(pk=feedback_id).first()
        if feedback is None or getattr(feedback, field) is not None:
            return
        message = build(feedback)
        if message is not None:
            message.send()
        setattr(feedback, field, timezone.now())
        feedback.save(update_fields=[field])


def _to_admins(feedback: FeedbackMessage) -> EmailMessage | None:
    from .services import recipients

    to = recipients()
    if not to:
        logger.warning("Accessibility feedback %s: nobody to send it to", feedback.pk)
        return None
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "feedback": feedback,
            "admin_url": settings.SITE_URL + reverse("legal_feedback:inspect", args=[feedback.pk]),
        }
        subject = render_to_string("legal/email/feedback_admins_subject.txt", context).strip()
        body = render_to_string("legal/email/feedback_admins.txt", context)
    return EmailMessage(
        subject=subject, body=body, to=to, reply_to=[feedback.email] if feedback.email else None
    )


def _receipt(feedback: FeedbackMessage) -> EmailMessage | None:
    if not feedback.email:
        return None
    with translation.override(feedback.language):
        context = {"feedback": feedback, "response_days": _response_days(feedback.language)}
        subject = render_to_string("legal/email/feedback_receipt_subject.txt", context).strip()
        body = render_to_string("legal/email/feedback_receipt.txt", context)
    return EmailMessage(subject=subject, body=body, to=[feedback.email])


@shared_task(
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def feedback_notify(feedback_id: int) -> None:
    """E-mail a feedback message to the administrators and a receipt to its sender (if they
    gave an address); each once, however often the task runs."""
    _send(feedback_id, field="admins_notified_at", build=_to_admins)
    _send(feedback_id, field="receipt_sent_at", build=_receipt)


# A message whose task was lost (broker down after the commit, worker killed) is queued again
# once it is this old; younger ones may still be on their way.
SWEEP_AFTER_SECONDS = 300


def feedback_unsent():
    """Messages still waiting for one of their e-mails."""
    from django.db.models import Q

    return FeedbackMessage.objects.filter(
        Q(admins_notified_at__isnull=True) | (Q(receipt_sent_at__isnull=True) & ~Q(email=""))
    )


@shared_task
def feedback_sweep() -> int:
    """Queue ``feedback_notify`` again for messages whose e-mails have not gone after a few
    minutes (beat, every 10 minutes); returns how many."""
    from datetime import timedelta

    due = feedback_unsent().filter(
        created_at__lt=timezone.now() - timedelta(seconds=SWEEP_AFTER_SECONDS)
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for pk in ids:
        feedback_notify.delay(pk)
    return len(ids)
