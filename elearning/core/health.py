"""Liveness of the services the platform depends on, for /health/ and operators."""

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import connection
from kombu import Connection


def _timed(check: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the type is reported
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        queue.mkdir(parents=True, exist_ok=True)
        probe = queue / ".health"
        probe.write_text("ok")
        probe.unlink()
        return
    with Connection(url, connect_timeout=2, transport_options={"max_retries": 0}) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def _lrs() -> None:
    # The xAPI "about" resource answers without credentials on a conforming LRS.
    base = settings.LRS_ENDPOINT.rstrip("/")
    if not urlsplit(base).scheme:
        raise ValueError("LRS_ENDPOINT is not an absolute address")
    response = httpx.get(f"{base}/about", timeout=httpx.Timeout(3.0))
    response.raise_for_status()


def _outbox_age() -> float | None:
    """Seconds since the oldest statement still waiting for delivery was written."""
    from django.db.models import Min
    from django.utils import timezone

    from progress.models import OutboxStatement

    oldest = OutboxStatement.objects.filter(status="pending").aggregate(oldest=Min("created_at"))
    if oldest["oldest"] is None:
        return None
    return (timezone.now() - oldest["oldest"]).total_seconds()


def health_report() -> tuple[bool, dict]:
    """Check each configured service; returns (all ok, per-service results). An LRS that is
    up but behind (a statement pending longer than XAPI_PENDING_ALERT_SECONDS) is reported
    as degraded, without failing the check."""
    checks = {"database": _timed(_database), "broker": _timed(_broker)}
    if settings.LRS_ENDPOINT:
        checks["lrs"] = _timed(_lrs)
    else:
        checks["lrs"] = {"ok": True, "configured": False}
    if checks["database"]["ok"]:
        age = _outbox_age()
        if age is not None:
            checks["lrs"]["oldest_pending_seconds"] = round(age)
            checks["lrs"]["degraded"] = age > settings.XAPI_PENDING_ALERT_SECONDS
    return all(check["ok"] for check in checks.values()), checks
