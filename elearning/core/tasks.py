"""Platform-wide Celery tasks: outgoing e-mail and housekeeping."""

import logging
import smtplib

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

logger = logging.getLogger(__name__)

# What a mail relay that is down, refusing or slow raises: worth another try later.
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def email_send(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one e-mail, retrying for about an hour while the SMTP server is unreachable.

    The message is rendered in the request (in the user's language) and passed in whole, so
    the worker needs no request context.
    """
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
    logger.info("Sent e-mail %r to %d recipient(s)", subject, len(to))


@shared_task
def sessions_clear() -> int:
    """Delete expired sessions (nightly, from Celery beat); returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def retention_apply() -> dict[str, int]:
    """Erase personal data older than the retention settings (daily, from Celery beat);
    returns how many rows each rule changed (``elearning.core.retention``)."""
    from .retention import retention_apply as apply

    done = apply()
    logger.info("Retention: %s", done)
    return done
