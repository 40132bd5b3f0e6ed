"""progress.events: subscribers get the events of the kinds they asked for, in the change's
transaction or after it committed; a failing subscriber undoes the change."""

import pytest
from django.db import transaction

from progress import events
from progress.models import Enrolment, LearningEvent
from progress.services import enrolment_create, lesson_complete
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriptions():
    uids = []

    def add(handler, uid, **options):
        events.subscribe(handler, uid=uid, **options)
        uids.append(uid)

    yield add
    for uid in uids:
        events.unsubscribe(uid)


def test_subscribers_get_the_kinds_they_asked_for_inside_the_transaction(
    subscriptions, make_user, site
):
    course, lessons = course_tree()
    seen = []

    def handler(recorded):
        # Inside the transaction: the rows are visible and the change is not committed yet.
        assert transaction.get_connection().in_atomic_block
        seen.extend((e.kind, e.pk) for e in recorded)

    subscriptions(handler, "test.lessons", kinds=[events.Kind.LESSON_COMPLETED])
    user = make_user()
    enrolment_create(user=user, course=course)
    lesson_complete(user=user, lesson=lessons[0])
    event = LearningEvent.objects.get(kind="lesson_completed")
    assert seen == [("lesson_completed", event.pk)]


def test_a_failing_subscriber_undoes_the_change(subscriptions, make_user, site):
    course, _ = course_tree()

    def refuse(recorded):
        raise RuntimeError("the outbox could not be written")

    subscriptions(refuse, "test.refuse", kinds=[events.Kind.ENROLLED])
    with pytest.raises(RuntimeError):
        enrolment_create(user=make_user(), course=course)
    assert not Enrolment.objects.exists() and not LearningEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_after_commit_subscribers_get_ids_once_committed_and_never_for_a_rollback(
    subscriptions, make_user, site
):
    course, _ = course_tree()
    committed = []
    subscriptions(committed.extend, "test.committed", on_commit=True)
    user = make_user()
    with transaction.atomic():
        enrolment_create(user=user, course=course)
        assert committed == []  # not before the commit
    assert committed == list(LearningEvent.objects.values_list("pk", flat=True))
    committed.clear()
    other = make_user(email="other@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_create(user=other, course=course)
        raise RuntimeError("the request failed after enrolling")
    assert committed == []


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="Unknown learning event kinds"):
        events.subscribe(print, uid="test.unknown", kinds=["lesson_finished"])
