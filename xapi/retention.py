"""Retention of delivered statements (issue 14): once an LRS has a statement, the outbox's
copy is only history, so its payload (the actor's opaque id, the result, free-text responses)
is cleared ``RETENTION_STATEMENT_PAYLOAD_DAYS`` after delivery. The row stays (statement id,
LRS, status, dates): it is what keeps a statement from being stored twice."""

from datetime import datetime

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
