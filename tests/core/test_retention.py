"""Retention made real (issue 14): the daily job erases what is older than the settings say
and keeps what is recent; run through a real Celery worker, then rule by rule."""

import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from courses.models import ModulePage
from elearning.accounts.models import User
from elearning.core.retention import retention_apply, retention_rules
from elearning.legal.models import FeedbackMessage
from progress.models import LearningEvent
from progress.services import enrolment_create
from quizzes.models import Attempt
from quizzes.services import attempt_start, attempt_submit
from tests.factories import course_tree, quiz_in
from tests.quizzes.conftest import perfect
from xapi.models import LearningRecordStore, OutboxStatement

DAY = timedelta(days=1)


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def submitted_attempts(user, count):
    """``count`` submitted attempts of a quiz with every question type (a reflection too)."""
    course, _lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    quiz, page = quiz_in(ModulePage.objects.child_of(course).get(), attempts_allowed=None)
    enrolment_create(user=user, course=course)
    attempts = []
    for _ in range(count):
        attempt = attempt_start(user=user, placement=page)
        posted = MultiValueDict(
            {k: v if isinstance(v, list) else [v] for k, v in perfect(attempt).items()}
        )
        attempts.append(attempt_submit(user=user, attempt_id=attempt.pk, data=posted))
    return attempts


def reflection_id(attempt):
    return next(q["id"] for q in attempt.questions if q["type"] == "reflection")


def statement(lrs, *, status="sent", sent_days_ago=None):
    now = timezone.now()
    return OutboxStatement.objects.create(
        statement_id=uuid.uuid4(),
        lrs=lrs,
        event=LearningEvent.objects.first(),
        payload={"verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}},
        status=status,
        next_attempt_at=now,
        created_at=now,
        sent_at=None if sent_days_ago is None else now - sent_days_ago * DAY,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_job_erases_old_personal_data_and_keeps_recent(
    celery_worker, smtp_sink, site, make_user
):
    from elearning.core.tasks import retention_apply as retention_task

    now = timezone.now()
    learner = make_user(email="active@example.org", last_login=now - 2 * DAY)
    old_attempt, new_attempt = submitted_attempts(learner, 2)
    Attempt.objects.filter(pk=old_attempt.pk).update(submitted_at=now - 366 * DAY)

    gone = make_user(
        email="gone@example.org",
        last_login=now - 1200 * DAY,
        inactivity_warned_at=now - 31 * DAY,
    )
    to_warn = make_user(email="soon@example.org", last_login=now - 1080 * DAY)
    admin = make_user(email="admin@example.org", last_login=now - 2000 * DAY, is_superuser=True)

    lrs = LearningRecordStore.objects.create(
        name="archive", endpoint="https://lrs.invalid/xapi/", active=False
    )
    old_sent = statement(lrs, sent_days_ago=91)
    new_sent = statement(lrs, sent_days_ago=89)
    pending = statement(lrs, status="pending")

    old_feedback = FeedbackMessage.objects.create(
        kind="other", message="gammal", language="sv", created_at=now - 731 * DAY
    )
    new_feedback = FeedbackMessage.objects.create(kind="other", message="ny", language="sv")

    retention_task.delay()
    assert wait_until(lambda: not FeedbackMessage.objects.filter(pk=old_feedback.pk).exists())
    assert wait_until(lambda: not User.objects.filter(pk=gone.pk).exists())

    old_attempt.refresh_from_db()
    new_attempt.refresh_from_db()
    assert reflection_id(old_attempt) not in old_attempt.answers
    assert len(old_attempt.answers) == len(old_attempt.questions) - 1  # the rest stays
    assert old_attempt.graded.filter(question_id=reflection_id(old_attempt)).exists()
    assert new_attempt.answers[reflection_id(new_attempt)] == "Jag tänker på det."

    assert OutboxStatement.objects.get(pk=old_sent.pk).payload == {}
    assert OutboxStatement.objects.get(pk=new_sent.pk).payload != {}
    assert OutboxStatement.objects.get(pk=pending.pk).payload != {}
    assert FeedbackMessage.objects.filter(pk=new_feedback.pk).exists()

    assert User.objects.filter(pk__in=[learner.pk, to_warn.pk, admin.pk]).count() == 3
    warning = smtp_sink.wait_for(lambda m: m["To"] == "soon@example.org")
    assert str(warning["Subject"]).strip() == "Ditt konto på Folkhälsoakademin kommer att tas bort"
    assert "/sv/konto/logga-in/" in warning.get_content()
    to_warn.refresh_from_db()
    assert to_warn.inactivity_warned_at is not None
    assert not any(
        m["To"] in ("active@example.org", "admin@example.org") for m in smtp_sink.messages
    )


def test_an_account_is_deleted_only_a_warning_period_after_the_warning(make_user):
    now = timezone.now()
    user = make_user(email="never-warned@example.org", last_login=now - 1200 * DAY)
    retention_apply(now=now)  # warned now, not deleted: the person gets their 30 days
    user.refresh_from_db()
    assert user.inactivity_warned_at == now

    retention_apply(now=now + 29 * DAY)
    assert User.objects.filter(pk=user.pk).exists()
    retention_apply(now=now + 30 * DAY)
    assert not User.objects.filter(pk=user.pk).exists()


def test_signing_in_after_the_warning_keeps_the_account(client, make_user):
    now = timezone.now()
    user = make_user(
        email="back@example.org", last_login=now - 1200 * DAY, inactivity_warned_at=now - 40 * DAY
    )
    assert client.login(username="back@example.org", password="a-long-test-password")
    retention_apply()
    user.refresh_from_db()
    assert user.inactivity_warned_at == now - 40 * DAY  # not warned again either
    assert not mail.outbox


def test_staff_accounts_are_never_deleted_for_inactivity(make_user):
    now = timezone.now()
    staff = make_user(
        email="author@example.org",
        is_staff=True,
        last_login=now - 2000 * DAY,
        inactivity_warned_at=now - 100 * DAY,
    )
    retention_apply()
    staff.refresh_from_db()
    assert staff.inactivity_warned_at == now - 100 * DAY


@override_settings(RETENTION_FEEDBACK_DAYS=0, RETENTION_FREE_TEXT_DAYS=10)
def test_a_rule_set_to_zero_keeps_everything_and_the_others_follow_their_setting(site, make_user):
    now = timezone.now()
    old = FeedbackMessage.objects.create(
        kind="other", message="gammal", language="sv", created_at=now - 5000 * DAY
    )
    (attempt,) = submitted_attempts(make_user(email="reflect@example.org"), 1)
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=now - 11 * DAY)

    done = retention_apply()
    assert "feedback" not in done and done["quiz-free-text"] == 1
    assert FeedbackMessage.objects.filter(pk=old.pk).exists()
    attempt.refresh_from_db()
    assert reflection_id(attempt) not in attempt.answers
    assert retention_apply()["quiz-free-text"] == 0  # nothing left to erase


def test_every_rule_names_a_documented_setting():
    from django.conf import settings

    assert [rule.setting for rule in retention_rules()] == [
        "RETENTION_INACTIVE_ACCOUNT_DAYS",
        "RETENTION_FREE_TEXT_DAYS",
        "RETENTION_STATEMENT_PAYLOAD_DAYS",
        "RETENTION_FEEDBACK_DAYS",
    ]
    assert all(isinstance(getattr(settings, rule.setting), int) for rule in retention_rules())
