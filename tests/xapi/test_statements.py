"""Statements built from learning events: valid xAPI, deterministic, no personal data."""

import json
from datetime import datetime

import pytest
from django.utils import timezone
from ralph.models.xapi.base.statements import BaseXapiStatement

from courses.models import LessonPage, ModulePage
from progress.models import LearningEvent
from progress.services import enrolment_create, enrolment_leave, lesson_complete, lesson_view
from quizzes.services import attempt_start, attempt_submit
from tests.factories import course_tree, every_question, quiz_in
from tests.quizzes.conftest import choice
from xapi.models import LearningRecordStore, OutboxStatement
from xapi.statements import statement_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lrs(site):
    return LearningRecordStore.objects.create(name="test", endpoint="http://127.0.0.1:9/xAPI/")


def journey(user, *, course=None, lessons=None):
    """Every kind of learning event for ``user``."""
    from django.http import QueryDict

    if course is None:
        course, lessons = course_tree(modules=1, lessons_per_module=1)
    module = ModulePage.objects.child_of(course).get()
    _quiz, page = quiz_in(module, questions=every_question()[2:3])
    enrolment_create(user=user, course=course)
    lesson_view(user=user, lesson=lessons[0])
    lesson_complete(user=user, lesson=lessons[0])
    for truth in ("false", "true"):
        attempt = attempt_start(user=user, placement=page)
        data = QueryDict(mutable=True)
        data[f"q-{attempt.questions[0]['id']}"] = choice(attempt.questions[0], truth)
        attempt_submit(user=user, attempt_id=attempt.pk, data=data)
    enrolment_leave(user=user, course=course)
    return course


def course_key(rows):
    return rows.first().event.enrolment.course_key


def test_every_event_kind_gives_a_valid_statement(
    make_user, lrs, django_capture_on_commit_callbacks
):
    user = make_user(first_name="Greta", last_name="Gustafsson", email="greta@example.org")
    journey(user)
    kinds = set(LearningEvent.objects.values_list("kind", flat=True))
    assert kinds == {
        "enrolled", "lesson_started", "lesson_completed", "question_answered", "quiz_failed",
        "quiz_passed", "module_completed", "course_completed", "certificate_issued", "left",
    }  # fmt: skip
    rows = OutboxStatement.objects.select_related("event")
    assert rows.count() == LearningEvent.objects.count()
    for row in rows:
        BaseXapiStatement(**row.payload)  # raises on anything the strict model refuses
        assert row.payload["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "http://127.0.0.1:8000", "name": str(user.learner_id)},
        }
        assert row.payload["context"]["registration"] == str(row.event.enrolment.registration)
        assert datetime.fromisoformat(row.payload["timestamp"]) <= timezone.now()
        assert row.payload["timestamp"].endswith("+00:00")
        text = json.dumps(row.payload, ensure_ascii=False)
        for personal in ("greta@example.org", "Greta", "Gustafsson"):
            assert personal not in text
    passed = rows.get(event__kind="quiz_passed").payload
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1.0
    earned = rows.get(event__kind="certificate_issued").payload
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    # The certificate is the object, the course its context; no verification address.
    assert "/certificate/" in earned["object"]["id"]
    assert earned["context"]["contextActivities"]["parent"][0]["id"].endswith(
        f"/course/{course_key(rows)}"
    )
    assert "/intyg/" not in json.dumps(earned) and "extensions" not in earned["result"]
    answers = [row.payload for row in rows.filter(event__kind="question_answered")]
    assert [a["result"]["success"] for a in answers] == [False, True]
    assert answers[0]["object"]["id"] == answers[1]["object"]["id"]  # the same question
    assert answers[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert answers[0]["context"]["contextActivities"]["parent"][0]["id"].startswith(
        "http://127.0.0.1:8000/xapi/activities/assessment/"
    )
    completed = rows.get(event__kind="lesson_completed").payload
    assert completed["result"]["duration"].startswith("PT")
    assert completed["context"]["contextActivities"]["parent"][0]["id"].startswith(
        "http://127.0.0.1:8000/xapi/activities/module/"
    )


def test_statement_ids_are_deterministic(make_user, lrs):
    user = make_user()
    journey(user)
    for row in OutboxStatement.objects.select_related("event__enrolment"):
        again = statement_for(row.event, learner_id=user.learner_id)
        assert again["id"] == row.payload["id"] == str(row.statement_id)


def test_the_swedish_and_english_lesson_are_one_activity(make_user, lrs):
    from demo.course import demo_course_load

    course = demo_course_load()
    user = make_user()
    enrolment_create(user=user, course=course)
    swedish = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    english = LessonPage.objects.get(
        translation_key=swedish.translation_key, locale__language_code="en"
    )
    lesson_view(user=user, lesson=swedish)
    lesson_complete(user=user, lesson=english)
    started = OutboxStatement.objects.get(event__kind="lesson_started").payload
    done = OutboxStatement.objects.get(event__kind="lesson_completed").payload
    assert started["object"]["id"] == done["object"]["id"]
    assert started["context"]["language"] == "sv-SE" and done["context"]["language"] == "en-US"
    assert done["object"]["definition"]["name"] == {"sv-SE": swedish.title, "en-US": english.title}


def test_the_outbox_row_is_part_of_the_event_transaction(make_user, lrs):
    from django.db import transaction

    course, _ = course_tree()
    user = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_create(user=user, course=course)
        assert OutboxStatement.objects.count() == 1
        raise RuntimeError("the request failed after the event")
    assert not LearningEvent.objects.exists() and not OutboxStatement.objects.exists()


def test_an_lrs_limited_to_other_organisations_gets_nothing(make_user, site):
    from elearning.organisations.models import Organisation

    lund = Organisation.objects.get(kind="municipality", code="1281")
    stockholm = Organisation.objects.get(kind="municipality", code="0180")
    for_lund = LearningRecordStore.objects.create(name="lund", endpoint="http://127.0.0.1:9/a/")
    for_lund.organisations.add(lund)
    for_stockholm = LearningRecordStore.objects.create(
        name="sthlm", endpoint="http://127.0.0.1:9/b/"
    )
    for_stockholm.organisations.add(stockholm)
    everyone = LearningRecordStore.objects.create(name="all", endpoint="http://127.0.0.1:9/c/")
    course, _ = course_tree()
    enrolment_create(user=make_user(organisation=stockholm), course=course)
    assert set(OutboxStatement.objects.values_list("lrs__name", flat=True)) == {"sthlm", "all"}
    assert not OutboxStatement.objects.filter(lrs=for_lund).exists()
    assert everyone.outbox.count() == 1


def test_a_change_of_a_store_applies_to_the_next_event_despite_the_cached_list(make_user, site):
    """Issue 17: the active stores are cached; saving, limiting, pausing and deleting a store
    replace the cached list at once."""
    from elearning.organisations.models import Organisation

    lund = Organisation.objects.get(kind="municipality", code="1281")
    stockholm = Organisation.objects.get(kind="municipality", code="0180")
    learner = make_user(organisation=stockholm)
    store = LearningRecordStore.objects.create(name="byte", endpoint="http://127.0.0.1:9/d/")
    courses = [course_tree(slug=f"kurs-{n}")[0] for n in range(4)]

    def queued_after_enrolling(number) -> int:
        before = store.outbox.count()
        enrolment_create(user=learner, course=courses[number])
        return store.outbox.count() - before

    assert queued_after_enrolling(0) == 1  # the list is now cached
    store.organisations.add(lund)
    assert queued_after_enrolling(1) == 0
    store.organisations.clear()
    store.active = False
    store.save()
    assert queued_after_enrolling(2) == 0
    store.active = True
    store.save()
    assert queued_after_enrolling(3) == 1


def test_a_store_removed_without_its_signal_never_fails_a_learning_event(make_user, site):
    """The cached list may name a store that a raw delete (or ``flush``) removed without
    telling the cache: the learner's action still commits, and nothing is queued for it."""
    from django.db import connection, transaction

    store = LearningRecordStore.objects.create(name="borta", endpoint="http://127.0.0.1:9/e/")
    courses = [course_tree(slug=f"kurs-{n}")[0] for n in range(2)]
    learner = make_user()
    enrolment_create(user=learner, course=courses[0])  # the list, with the store, is cached
    assert store.outbox.count() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OutboxStatement._meta.db_table}")
        cursor.execute(f"DELETE FROM {LearningRecordStore._meta.db_table}")
    with transaction.atomic():
        enrolment_create(user=learner, course=courses[1])
    # Deferred foreign keys are checked at the test's commit; ask for the check now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert LearningEvent.objects.count() == 2 and not OutboxStatement.objects.exists()


def test_sending_can_be_turned_off(make_user, lrs, settings):
    settings.XAPI_SENDING = False
    course, _ = course_tree()
    enrolment_create(user=make_user(), course=course)
    assert LearningEvent.objects.count() == 1 and not OutboxStatement.objects.exists()
