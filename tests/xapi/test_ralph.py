"""Learners' statements through the outbox and a real Celery worker into a real Ralph LRS:
every statement delivered exactly once, and stored as built."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from progress.models import LearningEvent
from tests.xapi.conftest import assert_exactly_once, journey, wait_for_delivery, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LEARNERS = 4


def test_learners_statements_reach_ralph_exactly_once(
    celery_worker, ralph, ralph_store, course_with_quiz, make_user
):
    from django.conf import settings

    course, lessons, quiz_page = course_with_quiz
    learners = [make_user(email=f"ralph-{n}@example.org") for n in range(LEARNERS)]
    for n, user in enumerate(learners):
        journey(user, course, lessons, quiz_page, leave_and_return=n == 0)

    rows = ralph_store.outbox.select_related("event__enrolment__user")
    assert rows.count() == LearningEvent.objects.count() >= 14 * LEARNERS + 2  # one each
    wait_for_delivery(ralph_store)  # delivered on commit by the worker
    assert_exactly_once(ralph_store, ralph)

    stored = {statement["id"]: statement for statement in ralph.statements()}
    kinds = set()
    for row in rows:
        statement, event = stored[str(row.statement_id)], row.event
        assert statement["actor"]["account"] == {
            "homePage": settings.SITE_URL,
            "name": str(event.enrolment.user.learner_id),
        }
        assert statement["context"]["registration"] == str(event.enrolment.registration)
        for key in ("verb", "object", "context", "timestamp", "version"):
            assert statement[key] == row.payload[key], key
        assert statement.get("result") == row.payload.get("result")
        assert "stored" in statement and "authority" in statement  # added by Ralph
        kinds.add(event.kind)
    assert kinds >= {
        "enrolled", "left", "lesson_started", "lesson_completed", "quiz_failed", "quiz_passed",
        "module_completed", "course_completed",
    }  # fmt: skip
    passed = stored[str(rows.filter(event__kind="quiz_passed").first().statement_id)]
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1.0
    assert passed["object"]["id"].startswith(f"{settings.SITE_URL}/xapi/activities/assessment/")


def test_sending_everything_again_stores_nothing_twice(
    celery_worker, ralph, ralph_store, course_with_quiz, make_user
):
    course, lessons, quiz_page = course_with_quiz
    journey(make_user(email="again@example.org"), course, lessons, quiz_page)
    wait_for_delivery(ralph_store)
    first_sent = max(ralph_store.outbox.values_list("sent_at", flat=True))

    today = timezone.localdate().isoformat()
    call_command("xapi_resend", since=today, until=today)  # every row pending, delivery asked
    assert wait_until(
        lambda: (
            not ralph_store.outbox.filter(sent_at__lte=first_sent).exists()
            and not ralph_store.outbox.exclude(status="sent").exists()
        ),
        timeout=60,
    ), "the statements were not sent again"
    assert_exactly_once(ralph_store, ralph)  # Ralph answered 204: all were stored already
