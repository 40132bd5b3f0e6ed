"""Liveness of the services the platform depends on, for /health/ and operators."""

import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import Connection


def timed(check: Callable[[], None]) -> dict:
    """Run ``check()``: {"ok": True, "ms": ...}, or {"ok": False, "error": type} if it raised."""
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


# Checks other apps add (the xAPI app: its LRS and how far behind delivery is):
# name -> function(database_ok) -> {"ok": bool, ...}.
_checks: dict[str, Callable[..., dict]] = {}


def health_check_register(name: str, check: Callable[..., dict]) -> None:
    """Report ``check(database_ok=...)`` under ``name`` in /health/; it is called with
    whether the database answered, and must return a dict with at least "ok"."""
    _checks[name] = check


def health_report() -> tuple[bool, dict]:
    """Check the database, the broker and every registered service; returns (all ok,
    per-service results). A check may add details (an LRS that is up but behind reports
    "degraded") without failing."""
    checks = {"database": timed(_database), "broker": timed(_broker)}
    for name, check in _checks.items():
        checks[name] = check(database_ok=checks["database"]["ok"])
    return all(check["ok"] for check in checks.values()), checks
