"""Retention of delivered statements (issue 14): once an LRS has a statement, the outbox's
copy is only history, so its payload (the actor's opaque id, the result, free-text responses)
is cleared ``RETENTION_STATEMENT_PAYLOAD_DAYS`` after delivery. The row stays (statement id,
LRS, status, dates): it is what keeps a statement from being stored twice."""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import OutboxStatement


def statement_payloads_clear(cutoff: datetime) -> int:
    """Clear the payloads of statements delivered before ``cutoff``; returns how many."""
    return (
        OutboxStatement.objects.filter(status=OutboxStatement.Status.SENT, sent_at__lt=cutoff)
        .exclude(payload={})
        .update(payload={})
    )


def statement_payloads_describe(days: int) -> str:
    return ngettext(
        "Learning statements (xAPI) kept here after they reached a learning record store: "
        "cleared %(days)d day after delivery.",
        "Learning statements (xAPI) kept here after they reached a learning record store: "
        "cleared %(days)d days after delivery.",
        days,
    ) % {"days": days}


def lrs_recipients_describe() -> str | None:
    """The privacy notice's line on the learning record stores that receive statements now."""
    from .models import LearningRecordStore

    names = list(
        LearningRecordStore.objects.filter(active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not names:
        return None
    return _("Learning record stores that receive your learning records now: %(names)s.") % {
        "names": ", ".join(names)
    }
