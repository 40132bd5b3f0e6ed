"""The monthly report digest: each manager's headline figures for the month just ended."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from elearning.accounts.models import User
from elearning.accounts.scope import manager_scope
from elearning.core.tasks import MAIL_ERRORS

from .selectors import digest
from .views import DIGEST_OPT_OUT_SALT


def previous_month(today: date) -> tuple[str, date, date]:
    """("YYYY-MM", first day, first day of the next month) of the month before ``today``."""
    end = today.replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return f"{start:%Y-%m}", start, end


def digest_recipients(month: str):
    """Active managers (view_reports through a group, directly or as superuser) who have not
    opted out and have not had this month's digest."""
    permission = Permission.objects.get(content_type__app_label="accounts", codename="view_reports")
    return (
        User.objects.filter(is_active=True, digest_opt_out=False)
        .filter(
            Q(groups__permissions=permission)
            | Q(user_permissions=permission)
            | Q(is_superuser=True)
        )
        .exclude(digest_sent_for=month)
        .distinct()
    )


@shared_task(
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=12,
)
def digest_send(*, user_id: int, today: str | None = None) -> bool:
    """Send one manager the digest of the month before ``today`` (ISO date; default: now),
    once. The month is claimed with a conditional UPDATE and the e-mail sent in the same
    transaction: two runs at once send one e-mail, and an SMTP failure undoes the claim and
    retries the task (12 times, with backoff up to an hour), so a digest is neither lost nor
    sent twice (short of a crash between the server's acceptance and the commit)."""
    month, start, end = previous_month(date.fromisoformat(today) if today else timezone.localdate())
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True, digest_opt_out=False).first()
        if user is None:
            return False
        scope = manager_scope(user)
        if scope is None or scope.is_empty:
            return False
        claimed = (
            User.objects.filter(pk=user_id)
            .exclude(digest_sent_for=month)
            .update(digest_sent_for=month)
        )
        if not claimed:
            return False
        language = user.preferred_language
        with translation.override(language):
            rows = digest(scope=scope, start=start, end=end, language=language)
            token = signing.dumps(user.pk, salt=DIGEST_OPT_OUT_SALT)
            context = {
                "user": user,
                "month": start,
                "rows": rows,
                "national": scope.national,
                "reports_url": settings.SITE_URL + reverse("reports:overview"),
                "opt_out_url": settings.SITE_URL
                + reverse("reports:digest_opt_out", kwargs={"token": token}),
            }
            subject = render_to_string("reports/email/digest_subject.txt", context).strip()
            body = render_to_string("reports/email/digest.txt", context)
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    return True


@shared_task
def digests_send(*, today: str | None = None) -> int:
    """Queue the digest of the month just ended for every manager who has not had it (beat,
    on the 1st): one task each, retried on its own. Returns how many were queued; running it
    again queues only what is still unsent."""
    today = today or timezone.localdate().isoformat()
    month, _start, _end = previous_month(date.fromisoformat(today))
    queued = 0
    for pk in digest_recipients(month).values_list("pk", flat=True):
        digest_send.delay(user_id=pk, today=today)
        queued += 1
    return queued


# Messages queued before reports left progress (release 0.2) carry the old task names;
# these aliases hand them on. Remove once every queue has been drained (docs/architecture.md).
@shared_task(name="progress.reports.tasks.digest_send")
def legacy_digest_send(*, user_id: int, today: str | None = None) -> None:
    """Old name of ``digest_send``."""
    digest_send.delay(user_id=user_id, today=today)


@shared_task(name="progress.reports.tasks.digests_send")
def legacy_digests_send(*, today: str | None = None) -> int:
    """Old name of ``digests_send``."""
    return digests_send(today=today)
