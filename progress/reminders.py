"""Inactivity reminders: one e-mail per absence to a learner who has left a started course
alone for two weeks (sent by the daily ``progress.tasks.reminders_send``)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage

from .models import Enrolment

# A learner who has not been back to a started course for this long gets one reminder.
REMINDER_AFTER = timedelta(days=14)


def reminders_due():
    """Enrolments whose learner should get a reminder now."""
    return Enrolment.objects.filter(
        left_at__isnull=True,
        completed_at__isnull=True,
        reminder_sent_at__isnull=True,
        last_activity_at__lt=timezone.now() - REMINDER_AFTER,
        user__isnull=False,
        user__is_active=True,
        user__reminders_opt_out=False,
    )


@transaction.atomic
def enrolment_remind(*, enrolment_id: int) -> bool:
    """Send the inactivity reminder for one enrolment, once: the row is locked and marked
    in the same transaction, and the e-mail is queued only when that commits."""
    from django.conf import settings
    from django.core import signing
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from elearning.accounts.views import REMINDER_OPT_OUT_SALT
    from elearning.core.tasks import email_send

    enrolment = (
        reminders_due()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return False
    enrolment.reminder_sent_at = timezone.now()
    enrolment.save(update_fields=["reminder_sent_at"])
    user = enrolment.user
    language = user.preferred_language
    course = (
        CoursePage.objects.live()
        .filter(translation_key=enrolment.course_key, locale__language_code=language)
        .first()
    ) or enrolment.course
    if course is None:
        return False
    with translation.override(language):
        token = signing.dumps(user.pk, salt=REMINDER_OPT_OUT_SALT)
        context = {
            "user": user,
            "course": course,
            "continue_url": settings.SITE_URL + course.get_url(),
            "opt_out_url": settings.SITE_URL
            + reverse("accounts:reminders_opt_out", kwargs={"token": token}),
        }
        subject = render_to_string("accounts/email/reminder_subject.txt", context).strip()
        body = render_to_string("accounts/email/reminder.txt", context)
    transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=[user.email]))
    return True
