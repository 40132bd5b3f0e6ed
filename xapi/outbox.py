"""Writing statements to the outbox, in the learning event's transaction."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from elearning.core.pagecache import version_bump, version_read, versioned_get, versioned_set

from .models import LearningRecordStore, OutboxStatement
from .statements import statement_for

logger = logging.getLogger(__name__)


_STORES_VERSION_KEY = "xapi:stores-version"


def stores_version_bump(*args, **kwargs) -> None:
    """A store was saved or deleted, or its organisations changed (connected in apps.py)."""
    version_bump(_STORES_VERSION_KEY)


def _active_stores() -> list[tuple[int, frozenset[int]]]:
    """The active stores' ids, each with the organisations it is limited to (empty: every
    organisation), cached under a version that every change of a store replaces: one query
    fewer for every learning event (issue 17). Ids only: no credential goes into a cache."""
    key = f"xapi:active-stores:{version_read(_STORES_VERSION_KEY)}"
    found = versioned_get(key)
    if found is None:
        limits: dict[int, set[int]] = {}
        for store_id, organisation_id in LearningRecordStore.objects.filter(
            active=True
        ).values_list("pk", "organisations"):
            limits.setdefault(store_id, set())
            if organisation_id is not None:
                limits[store_id].add(organisation_id)
        found = sorted((store_id, frozenset(orgs)) for store_id, orgs in limits.items())
        versioned_set(key, found, timeout=24 * 60 * 60)
    return found


def stores_for(enrolment) -> list[int]:
    """The ids of the active LRSs that take this learner's statements (organisation limits
    honoured)."""
    if not settings.XAPI_SENDING:
        return []
    org = enrolment.organisation_id
    return [
        store_id
        for store_id, organisations in _active_stores()
        if not organisations or (org is not None and org in organisations)
    ]


def outbox_add(event) -> list[OutboxStatement]:
    """Queue the event's statement for every LRS that takes it; delivery is asked for when
    the transaction commits (and the sweeper catches up if that request is lost)."""
    return outbox_add_many([event])


def outbox_add_many(events) -> list[OutboxStatement]:
    """``outbox_add`` for many events of one enrolment, in one insert (a quiz's answers)."""
    if not events:
        return []
    enrolment = events[0].enrolment
    if enrolment.user_id is None:
        return []
    stores = stores_for(enrolment)
    if stores:
        # The cached ids, checked against the rows in this transaction: a store removed
        # without its signal (raw SQL, ``flush``) must not fail every learning event with a
        # foreign-key error at commit. Only where a store is configured, whose statements
        # cost far more to build than this lookup.
        stores = list(
            LearningRecordStore.objects.filter(pk__in=stores, active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if not stores:
        return []
    now = timezone.now()
    rows = []
    for event in events:
        payload = statement_for(event, learner_id=enrolment.user.learner_id)
        rows += [
            OutboxStatement(
                statement_id=payload["id"],
                lrs_id=store,
                event=event,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
            for store in stores
        ]
    created = OutboxStatement.objects.bulk_create(rows)
    transaction.on_commit(lambda: delivery_request(stores))
    return created


def delivery_request(store_ids) -> None:
    """Ask Celery to deliver; if the broker cannot take the message now, the sweeper will."""
    from kombu.exceptions import OperationalError

    from .tasks import statements_deliver

    for store_id in store_ids:
        try:
            statements_deliver.apply_async(
                kwargs={"lrs_id": store_id},
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
            )
        except OperationalError as error:
            logger.warning("Broker unavailable, the sweeper will deliver: %s", error)
