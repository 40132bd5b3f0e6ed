"""Delivery health, per LRS, for operators and /health/."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from ..models import LearningRecordStore, OutboxStatement


def delivery_health():
    """Every LRS with: pending count, the oldest pending statement's time, statements sent in
    the last 24 hours and failed count (one aggregate query)."""
    since = timezone.now() - timedelta(hours=24)
    pending = Q(outbox__status=OutboxStatement.Status.PENDING)
    return LearningRecordStore.objects.annotate(
        pending_count=Count("outbox", filter=pending),
        oldest_pending=Min("outbox__created_at", filter=pending),
        sent_24h=Count("outbox", filter=Q(outbox__status="sent", outbox__sent_at__gte=since)),
        failed_count=Count("outbox", filter=Q(outbox__status="failed")),
    ).order_by("name")
