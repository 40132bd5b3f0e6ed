"""Delivery to an LRS stand-in on localhost: every answer handled as the spec and real LRSs
behave, ending with each statement stored exactly once and nothing failed that should not be."""

from datetime import timedelta

import pytest
from django.utils import timezone

from progress.services import enrolment_create, lesson_complete, lesson_view
from tests.factories import course_tree
from tests.xapi.lrs_standin import StandIn
from xapi import delivery
from xapi.models import LearningRecordStore, OutboxStatement

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin():
    lrs = StandIn()
    yield lrs
    lrs.close()


@pytest.fixture
def outbox(site, make_user, standin):
    """An LRS row pointing at the stand-in, and a few statements for it."""
    store = LearningRecordStore.objects.create(
        name="standin", endpoint=standin.url, username="lms", password="secret"
    )
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    for n in range(3):
        user = make_user(email=f"l{n}@example.org")
        enrolment_create(user=user, course=course)
        lesson_view(user=user, lesson=lessons[0])
        lesson_complete(user=user, lesson=lessons[0])
    assert store.outbox.count() == 9
    return store


def deliver(store, *, due_now=True):
    if due_now:  # a retry whose backoff has passed
        OutboxStatement.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    return delivery.lrs_deliver(lrs_id=store.pk)


def statuses(store):
    return sorted(store.outbox.values_list("status", flat=True))


def exactly_once(store, standin):
    ids = {str(i) for i in store.outbox.values_list("statement_id", flat=True)}
    assert set(standin.stored) == ids


def test_a_healthy_lrs_gets_everything_in_one_batch(outbox, standin):
    assert deliver(outbox) == 9
    assert statuses(outbox) == ["sent"] * 9 and standin.posts == 1
    exactly_once(outbox, standin)
    assert deliver(outbox) == 0  # nothing left to send


def test_500_retries_with_backoff_then_delivers(outbox, standin):
    standin.mode = "500"
    assert deliver(outbox, due_now=False) == 0
    row = outbox.outbox.first()
    assert row.status == "pending" and row.attempts == 1 and row.last_error.startswith("500")
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=14)  # backed off
    assert deliver(outbox, due_now=False) == 0  # not yet due: nothing sent
    standin.mode = "normal"
    assert deliver(outbox) == 9
    exactly_once(outbox, standin)


def test_a_statement_fails_only_after_the_bound(outbox, standin):
    standin.mode = "500"
    for _ in range(delivery.MAX_ATTEMPTS):
        deliver(outbox)
    assert statuses(outbox) == ["failed"] * 9


def test_429_honours_retry_after(outbox, standin):
    standin.mode = "429"
    deliver(outbox, due_now=False)
    row = outbox.outbox.first()
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 5 < wait <= 7 and row.status == "pending"


def test_a_timeout_after_storing_is_retried_without_a_duplicate(outbox, standin, monkeypatch):
    import httpx

    monkeypatch.setattr(delivery, "TIMEOUT", httpx.Timeout(1.0, connect=1.0))
    standin.mode = "timeout-after-store"
    assert deliver(outbox) == 0
    assert statuses(outbox) == ["pending"] * 9 and len(standin.stored) == 9
    assert deliver(outbox) == 9  # the LRS answers 204: all were already stored
    exactly_once(outbox, standin)


def test_a_409_for_our_own_stored_statement_counts_as_delivered(outbox, standin):
    first = outbox.outbox.order_by("id").first()
    standin.stored[str(first.statement_id)] = first.payload
    standin.mode = "409-duplicates"
    assert deliver(outbox) == 9
    assert statuses(outbox) == ["sent"] * 9
    exactly_once(outbox, standin)


def test_a_409_for_another_statement_with_our_id_is_parked(outbox, standin):
    first = outbox.outbox.order_by("id").first()
    standin.stored[str(first.statement_id)] = {**first.payload, "verb": {"id": "http://x/other"}}
    assert deliver(outbox) == 8
    first.refresh_from_db()
    assert first.status == "failed" and "409" in first.last_error
    assert statuses(outbox).count("sent") == 8


@pytest.mark.parametrize("status", [400, 422])  # Ralph answers 422 for some invalid statements
def test_a_rejected_statement_is_parked_and_the_rest_sent(outbox, standin, status):
    standin.reject_verb = "http://adlnet.gov/expapi/verbs/registered"
    standin.reject_status = status
    assert deliver(outbox) == 6
    failed = outbox.outbox.filter(status="failed")
    assert failed.count() == 3
    assert {row.event.kind for row in failed} == {"enrolled"}


def test_413_splits_the_batch(outbox, standin):
    standin.mode = "413"
    assert deliver(outbox) == 9
    assert standin.posts > 9  # every statement alone in the end
    exactly_once(outbox, standin)


def test_an_empty_204_is_success(outbox, standin):
    for row in outbox.outbox.all():
        standin.stored[str(row.statement_id)] = row.payload
    assert deliver(outbox) == 9
    assert statuses(outbox) == ["sent"] * 9


def test_401_pauses_delivery_until_an_operator_acts(outbox, standin):
    standin.mode = "401"
    assert deliver(outbox) == 0
    outbox.refresh_from_db()
    assert outbox.paused_reason.startswith("401")
    assert statuses(outbox) == ["pending"] * 9
    standin.mode = "normal"
    assert deliver(outbox) == 0  # paused: nothing is sent
    LearningRecordStore.objects.filter(pk=outbox.pk).update(paused_reason="")
    assert deliver(outbox) == 9


def test_an_lrs_that_is_down_keeps_everything_pending(outbox, standin):
    standin.close()
    assert deliver(outbox) == 0
    row = outbox.outbox.first()
    assert row.status == "pending" and "ConnectError" in row.last_error
