"""Delivery health, per LRS, for operators and /health/."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import LearningRecordStore, OutboxStatement


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


def _lrs_about() -> None:
    # The xAPI "about" resource answers without credentials on a conforming LRS.
    base = settings.LRS_ENDPOINT.rstrip("/")
    if not urlsplit(base).scheme:
        raise ValueError("LRS_ENDPOINT is not an absolute address")
    response = httpx.get(f"{base}/about", timeout=httpx.Timeout(3.0))
    response.raise_for_status()


def oldest_pending_age() -> float | None:
    """Seconds since the oldest statement still waiting for delivery was written."""
    oldest = OutboxStatement.objects.filter(status="pending").aggregate(oldest=Min("created_at"))
    if oldest["oldest"] is None:
        return None
    return (timezone.now() - oldest["oldest"]).total_seconds()


def lrs_health(*, database_ok: bool) -> dict:
    """/health/'s LRS entry: the LRS of LRS_ENDPOINT answers, and an LRS that is up but
    behind (a statement pending longer than XAPI_PENDING_ALERT_SECONDS) is "degraded"."""
    from elearning.core.health import timed

    result = timed(_lrs_about) if settings.LRS_ENDPOINT else {"ok": True, "configured": False}
    if database_ok:
        age = oldest_pending_age()
        if age is not None:
            result["oldest_pending_seconds"] = round(age)
            result["degraded"] = age > settings.XAPI_PENDING_ALERT_SECONDS
    return result
