"""Celery tasks of progress: reminders."""

from celery import shared_task

from .reminders import enrolment_remind, reminders_due


@shared_task
def reminders_send() -> int:
    """Remind learners who have been away from a started course for 14 days (beat, daily);
    one e-mail per absence, however often this runs. Returns how many were sent."""
    return sum(
        enrolment_remind(enrolment_id=pk)
        for pk in reminders_due().values_list("pk", flat=True).iterator()
    )
