"""Delivering outbox statements to an LRS, answering each response as the xAPI specification
and real LRSs behave (see docs/xapi.md for the table)."""

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.db import transaction
from django.utils import timezone

from .models import LearningRecordStore, OutboxStatement

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_BATCHES = 50  # per task run; the next run (or the sweeper) continues
MAX_ATTEMPTS = 10  # transient failures before a statement is marked failed
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter: up to 30 s × 2^(attempts-1), at most an hour."""
    ceiling = min(3600, 30 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - not crypto


@dataclass
class Outcome:
    sent: list
    failed: list  # (row, reason)
    retry: list  # (row, reason, when or None for backoff)
    paused: str = ""


def _client(lrs: LearningRecordStore) -> httpx.Client:
    auth = (lrs.username, lrs.password) if lrs.username else None
    return httpx.Client(auth=auth, timeout=TIMEOUT, headers=HEADERS)


def _statements_url(lrs) -> str:
    return lrs.endpoint.rstrip("/") + "/statements"


def _same_as_stored(client, lrs, row) -> bool:
    """After a 409: is the LRS's statement with this id ours (then it is delivered)?"""
    try:
        response = client.get(_statements_url(lrs), params={"statementId": str(row.statement_id)})
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    stored = response.json()
    keys = ("actor", "verb", "object", "result", "context", "timestamp")
    return all(
        _normal(stored.get(k)) == _normal(row.payload.get(k)) for k in keys if k in row.payload
    )


def _normal(value):
    """Compare timestamps and numbers as an LRS may re-serialise them."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str) and value.endswith(("Z", "+00:00")) and "T" in value:
        return value.replace("+00:00", "Z").replace(".000Z", "Z")
    return value


def _send(client, lrs, rows, outcome: Outcome) -> None:
    now = timezone.now()
    try:
        response = client.post(_statements_url(lrs), json=[row.payload for row in rows])
    except httpx.HTTPError as error:
        outcome.retry += [(row, f"{type(error).__name__}: {error}"[:300], None) for row in rows]
        return
    status = response.status_code
    if status in (200, 204):
        outcome.sent += rows
    elif status in (400, 409, 413, 422) and len(rows) > 1:
        # Find the statement the LRS objects to; the others go through.
        middle = len(rows) // 2
        _send(client, lrs, rows[:middle], outcome)
        _send(client, lrs, rows[middle:], outcome)
    elif status == 409:
        if _same_as_stored(client, lrs, rows[0]):
            outcome.sent += rows
        else:
            outcome.failed.append((rows[0], "409: the LRS holds another statement with this id"))
    elif status in (400, 413, 422):  # Ralph answers 422 for some invalid statements
        outcome.failed.append((rows[0], f"{status}: {response.text[:250]}"))
    elif status == 429:
        wait = _retry_after(response.headers.get("Retry-After"))
        outcome.retry += [(row, "429: too many requests", now + wait) for row in rows]
    elif status in (401, 403):
        outcome.paused = f"{status}: the LRS refused our credentials"
    else:
        outcome.retry += [(row, f"{status}: {response.text[:250]}", None) for row in rows]


def _retry_after(value) -> timedelta:
    try:
        return timedelta(seconds=min(3600, max(1, int(value))))
    except (TypeError, ValueError):
        return timedelta(seconds=60)


def _apply(lrs, outcome: Outcome) -> None:
    now = timezone.now()
    # The common case, a whole batch sent, is one UPDATE (bulk_update of 100 rows costs more
    # than the POST itself).
    OutboxStatement.objects.filter(pk__in=[row.pk for row in outcome.sent]).update(
        status=OutboxStatement.Status.SENT, sent_at=now, last_error=""
    )
    for row, reason in outcome.failed:
        row.status, row.last_error = OutboxStatement.Status.FAILED, reason
        row.attempts += 1
    for row, reason, when in outcome.retry:
        row.attempts += 1
        row.last_error = reason
        if when is None and row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatement.Status.FAILED
        else:
            row.next_attempt_at = when or now + backoff(row.attempts)
    changed = [r for r, _ in outcome.failed] + [r for r, _, _ in outcome.retry]
    if changed:
        OutboxStatement.objects.bulk_update(
            changed, ["status", "last_error", "attempts", "next_attempt_at"]
        )
    if outcome.paused:
        LearningRecordStore.objects.filter(pk=lrs.pk).update(paused_reason=outcome.paused)
        logger.error("Delivery to LRS %s paused: %s", lrs.name, outcome.paused)


def lrs_deliver(*, lrs_id: int) -> int:
    """Send what is due for one LRS, batch by batch; returns how many were delivered. Rows
    are locked with SKIP LOCKED while they are sent, so two workers never send one statement
    at the same time."""
    lrs = LearningRecordStore.objects.filter(pk=lrs_id, active=True, paused_reason="").first()
    if lrs is None:
        return 0
    delivered = 0
    with _client(lrs) as client:
        for _ in range(MAX_BATCHES):
            with transaction.atomic():
                rows = list(
                    OutboxStatement.objects.select_for_update(skip_locked=True)
                    .filter(
                        lrs=lrs,
                        status=OutboxStatement.Status.PENDING,
                        next_attempt_at__lte=timezone.now(),
                    )
                    .order_by("id")[:BATCH_SIZE]
                )
                if not rows:
                    break
                outcome = Outcome(sent=[], failed=[], retry=[])
                _send(client, lrs, rows, outcome)
                _apply(lrs, outcome)
                delivered += len(outcome.sent)
                if outcome.paused or outcome.retry:
                    break
    return delivered
