"""The one public door out of progress: learning events, their kinds, and subscriptions.

Every change of progress writes a ``LearningEvent`` row in the change's own transaction and
publishes it here. Other apps subscribe (certificates, xAPI statements); progress imports none
of them, so events flow one way. Subscribers connect in their ``AppConfig.ready()``.

A subscriber is called at one of two moments:

- ``on_commit=False`` (the default): inside the transaction, right after the rows are written,
  with the event rows. For what must be written atomically with the event, such as the xAPI
  outbox (a statement is never lost) or the certificate of a completed course (issued once): if
  the subscriber raises, the whole change is undone.
- ``on_commit=True``: once the transaction has committed (``transaction.on_commit``), with the
  event ids. For effects outside the database that must not happen for a change that is rolled
  back: e-mail, caches, notifications.

Django's signals have neither a filter by kind nor the after-commit moment, hence this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from .models import LearningEvent

Kind = LearningEvent.Kind

Handler = Callable[[Sequence[LearningEvent]], object]


@dataclass(frozen=True)
class _Subscription:
    uid: str
    handler: Callable
    kinds: frozenset[str] | None
    on_commit: bool


_subscriptions: dict[str, _Subscription] = {}


def subscribe(
    handler: Callable, *, uid: str, kinds: Iterable[str] | None = None, on_commit: bool = False
) -> None:
    """Call ``handler`` with the events of ``kinds`` (all kinds when None) as they are
    recorded: with the rows inside the transaction, or with their ids after it committed.
    ``uid`` names the subscription; subscribing again under the same uid replaces it (so a
    second ``ready()`` in tests does not double it)."""
    known = set(Kind.values)
    chosen = None if kinds is None else frozenset(str(kind) for kind in kinds)
    if chosen is not None and not chosen <= known:
        raise ValueError(f"Unknown learning event kinds: {sorted(chosen - known)}")
    _subscriptions[uid] = _Subscription(uid, handler, chosen, on_commit)


def unsubscribe(uid: str) -> None:
    """Remove a subscription (tests use this)."""
    _subscriptions.pop(uid, None)


def publish(events: Sequence[LearningEvent]) -> None:
    """Hand freshly written events to the subscribers. Called by progress's own services and
    by ``event_record``; the caller is inside the transaction that wrote the rows."""
    if not events:
        return
    for subscription in list(_subscriptions.values()):
        chosen = [e for e in events if subscription.kinds is None or e.kind in subscription.kinds]
        if not chosen:
            continue
        if subscription.on_commit:
            ids = [event.pk for event in chosen]
            transaction.on_commit(lambda h=subscription.handler, ids=ids: h(ids))
        else:
            subscription.handler(chosen)


def event_record(*, enrolment, kind: str, page, at, details: dict | None = None) -> LearningEvent:
    """Write one learning event about ``page`` (its translation_key and language) and publish
    it. For apps that add their own transitions to progress (a certificate issued); call it
    inside the transaction of the change, with the enrolment locked."""
    event = LearningEvent.objects.create(
        enrolment=enrolment,
        kind=kind,
        occurred_at=at,
        object_key=page.translation_key,
        object_page=page,
        language=page.locale.language_code,
        details=details or {},
    )
    publish([event])
    return event


def events_record(events: Sequence[LearningEvent]) -> list[LearningEvent]:
    """Write many unsaved events in one insert (the answers of a quiz) and publish them."""
    created = LearningEvent.objects.bulk_create(events)
    publish(created)
    return created
