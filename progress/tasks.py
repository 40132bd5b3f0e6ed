"""Celery tasks of progress: reminders and xAPI delivery."""

from celery import shared_task
from django.db.models import Exists, OuterRef
from django.utils import timezone

# Tasks in the app's packages, imported here so that Celery's autodiscovery registers them.
from .certificates.tasks import certificate_deliver, certificates_sweep  # noqa: F401
from .models import LearningRecordStore, OutboxStatement
from .reports.tasks import digests_send  # noqa: F401 - found by Celery autodiscovery
from .services import enrolment_remind, reminders_due


@shared_task
def reminders_send() -> int:
    """Remind learners who have been away from a started course for 14 days (beat, daily);
    one e-mail per absence, however often this runs. Returns how many were sent."""
    return sum(
        enrolment_remind(enrolment_id=pk)
        for pk in reminders_due().values_list("pk", flat=True).iterator()
    )


@shared_task
def statements_deliver(*, lrs_id: int) -> int:
    """Deliver the due statements of one LRS (enqueued on commit, and by the sweeper)."""
    from .xapi.delivery import lrs_deliver

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
