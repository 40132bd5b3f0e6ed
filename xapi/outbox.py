"""Writing statements to the outbox, in the learning event's transaction."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import LearningRecordStore, OutboxStatement
from .statements import statement_for

logger = logging.getLogger(__name__)


def stores_for(enrolment) -> list[LearningRecordStore]:
    """The active LRSs that take this learner's statements (organisation limits honoured)."""
    if not settings.XAPI_SENDING:
        return []
    stores = LearningRecordStore.objects.filter(active=True)
    # An LRS limited to organisations takes only their learners.
    everyone = Q(organisations__isnull=True)
    org = enrolment.organisation_id
    return list(stores.filter(everyone | Q(organisations=org) if org else everyone).distinct())


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
    if not stores:
        return []
    now = timezone.now()
    rows = []
    for event in events:
        payload = statement_for(event, learner_id=enrolment.user.learner_id)
        rows += [
            OutboxStatement(
                statement_id=payload["id"],
                lrs=store,
                event=event,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
            for store in stores
        ]
    created = OutboxStatement.objects.bulk_create(rows)
    store_ids = [store.pk for store in stores]
    transaction.on_commit(lambda: delivery_request(store_ids))
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
