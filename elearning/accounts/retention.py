"""Retention of accounts (issue 14): an account nobody has signed in to for
``RETENTION_INACTIVE_ACCOUNT_DAYS`` is deleted as if the person had deleted it (``user_delete``:
every app forgets what it holds; progress stays as anonymous records). The person is warned by
e-mail ``RETENTION_INACTIVE_ACCOUNT_WARNING_DAYS`` before, and signing in keeps the account.
Superusers and staff are never deleted this way: an installation must not lose its
administrators to a quiet year."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import User


def _warning_days() -> int:
    return settings.RETENTION_INACTIVE_ACCOUNT_WARNING_DAYS


def _candidates():
    """Accounts the rule applies to, annotated with ``last_seen`` (last sign-in, or when the
    account was made if never) and ``warned`` (a warning not cancelled by a sign-in since)."""
    return (
        User.objects.filter(is_superuser=False, is_staff=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .annotate(
            warned=ExpressionWrapper(
                Q(inactivity_warned_at__isnull=False) & Q(inactivity_warned_at__gte=F("last_seen")),
                output_field=BooleanField(),
            )
        )
    )


def inactive_accounts_warn(*, cutoff: datetime, now: datetime) -> int:
    """E-mail every account that will pass ``cutoff`` within the warning period and has not
    been warned since it was last used; returns how many were warned."""
    warned = 0
    due = _candidates().filter(
        is_active=True, warned=False, last_seen__lt=cutoff + timedelta(days=_warning_days())
    )
    for pk in due.values_list("pk", flat=True).iterator():
        warned += _warn(pk=pk, cutoff=cutoff, now=now)
    return warned


@transaction.atomic
def _warn(*, pk: int, cutoff: datetime, now: datetime) -> int:
    from elearning.core.tasks import email_send

    user = (
        _candidates()
        .select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, warned=False)
        .first()
    )
    if user is None:
        return 0
    user.inactivity_warned_at = now
    user.save(update_fields=["inactivity_warned_at"])
    # Never sooner than the warning period from now, even if the job did not run for a while.
    deleted_on = max(user.last_seen + (now - cutoff), now + timedelta(days=_warning_days()))
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "deleted_on": timezone.localdate(deleted_on),
            "sign_in_url": settings.SITE_URL + reverse("accounts:login"),
            "my_data_url": settings.SITE_URL + reverse("accounts:my_data"),
        }
        subject = render_to_string("accounts/email/inactive_subject.txt", context).strip()
        body = render_to_string("accounts/email/inactive.txt", context)
    to = [user.email]
    transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=to))
    return 1


def inactive_accounts_delete(cutoff: datetime) -> int:
    """Warn what is due, then delete the accounts unused since before ``cutoff`` that were
    warned at least the warning period ago; returns how many accounts went."""
    from .services import user_delete

    now = cutoff + timedelta(days=settings.RETENTION_INACTIVE_ACCOUNT_DAYS)
    inactive_accounts_warn(cutoff=cutoff, now=now)
    deleted = 0
    due = _candidates().filter(
        last_seen__lt=cutoff,
        warned=True,
        inactivity_warned_at__lte=now - timedelta(days=_warning_days()),
    )
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            user = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if user is not None:
                user_delete(user=user)
                deleted += 1
    return deleted


def inactive_accounts_describe(days: int) -> str:
    warning = _warning_days()
    return ngettext(
        "Accounts: deleted when nobody has signed in for %(days)d day",
        "Accounts: deleted when nobody has signed in for %(days)d days",
        days,
    ) % {"days": days} + ngettext(
        ", after a warning by e-mail %(warning)d day before (signing in keeps the account). "
        "Your progress then stays only as anonymous figures.",
        ", after a warning by e-mail %(warning)d days before (signing in keeps the account). "
        "Your progress then stays only as anonymous figures.",
        warning,
    ) % {"warning": warning}
