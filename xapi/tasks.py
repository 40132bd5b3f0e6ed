"""Celery tasks of the xAPI app: delivery of the outbox to each LRS, and its sweeper."""

from celery import shared_task
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import LearningRecordStore, OutboxStatement


@shared_task
def statements_deliver(*, lrs_id: int) -> int:
    """Deliver the due statements of one LRS (enqueued on commit, and by the sweeper)."""
    from .delivery import lrs_deliver

    return lrs_deliver(lrs_id=lrs_id)


@shared_task
def statements_sweep() -> int:
    """Ask for delivery to every LRS with statements due (beat, every minute): covers a
    request lost with the broker, and retries whose time has come."""
    due = OutboxStatement.objects.filter(
        lrs=OuterRef("pk"),
        status=OutboxStatement.Status.PENDING,
        next_attempt_at__lte=timezone.now(),
    )
    stores = LearningRecordStore.objects.filter(active=True, paused_reason="").filter(Exists(due))
    count = 0
    for store_id in stores.values_list("pk", flat=True):
        statements_deliver.delay(lrs_id=store_id)
        count += 1
    return count


# Messages queued before the xAPI app left progress (release 0.2) carry the old task names;
# these aliases run them. Remove once every queue has been drained (docs/architecture.md).
@shared_task(name="progress.tasks.statements_deliver")
def legacy_statements_deliver(*, lrs_id: int) -> int:
    """Old name of ``statements_deliver``."""
    return statements_deliver(lrs_id=lrs_id)


@shared_task(name="progress.tasks.statements_sweep")
def legacy_statements_sweep() -> int:
    """Old name of ``statements_sweep``."""
    return statements_sweep()
