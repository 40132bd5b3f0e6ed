"""The xAPI profile checked by a second validator (tests/xapi/validation.py: a JSON Schema of
xAPI 1.0.3 and the MUST rules) beside ralph-malph's models: every statement kind, every
question type as a cmi.interaction, scores for every quiz shape, the certificate statement,
and statement ids that stay unique when a second installation sends to the same LRS."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from ralph.models.xapi.base.statements import BaseXapiStatement

from certificates.models import Certificate
from courses.models import ModulePage
from progress.models import Enrolment, LearningEvent
from progress.services import enrolment_create, lesson_complete, lesson_view
from quizzes.services import attempt_start, attempt_submit
from quizzes.tokens import token
from tests.factories import course_tree, every_question, quiz_in
from tests.quizzes.conftest import choice
from tests.xapi.lrs_standin import StandIn
from tests.xapi.validation import statement_problems
from xapi import delivery
from xapi.models import LearningRecordStore, OutboxStatement
from xapi.statements import LEGACY_STATEMENT_NAMESPACE, statement_for

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi"
REFLECTION_TEXT = "Min egen reflektion om Malmö, nummer 4711"


@pytest.fixture
def lrs(site):
    return LearningRecordStore.objects.create(name="test", endpoint="http://127.0.0.1:9/xAPI/")


def assert_valid(payload: dict) -> None:
    BaseXapiStatement(**payload)  # ralph-malph's strict model
    problems = statement_problems(payload)  # the second validator
    assert not problems, f"{payload['verb']['id']}: {problems}"


def form_for(attempt, answers: dict) -> QueryDict:
    """The posted form for ``answers`` by question type, given in the snapshot's stable ids:
    an option id (single, true/false), a list of them (multiple), item ids in order
    (ordering), {prompt pair id: chosen pair id} (matching), or text (reflection). The form
    posts each as the attempt's token for it, as the browser does."""
    data = QueryDict(mutable=True)
    for question in attempt.questions:
        qid, answer = question["id"], answers.get(question["type"])
        if answer is None:
            continue
        if question["type"] == "ordering":
            items = {item["id"]: item for item in question["items"]}
            for position, item_id in enumerate(answer, start=1):
                data[f"q-{qid}-{token(items[item_id])}"] = str(position)
        elif question["type"] == "matching":
            pairs = {pair["id"]: pair for pair in question["pairs"]}
            for prompt_id, chosen in answer.items():
                prompt = token(pairs[prompt_id], "prompt_token")
                data[f"q-{qid}-{prompt}"] = token(pairs[chosen], "match_token")
        elif question["type"] == "multiple":
            data.setlist(f"q-{qid}", [choice(question, option) for option in answer])
        elif question["type"] in ("single", "true_false"):
            data[f"q-{qid}"] = choice(question, answer)
        else:
            data[f"q-{qid}"] = answer
    return data


def by_type(attempt) -> dict:
    return {question["type"]: question for question in attempt.questions}


def right_answers(attempt) -> dict:
    """Full marks for every question type, from the snapshot (the ground truth)."""
    q = by_type(attempt)
    correct = {
        k: [o["id"] for o in q[k]["options"] if o["correct"]] for k in q if "options" in q[k]
    }
    return {
        "single": correct["single"][0],
        "multiple": correct["multiple"],
        "true_false": correct["true_false"][0],
        "ordering": [item["id"] for item in q["ordering"]["items"]],
        "matching": {pair["id"]: pair["id"] for pair in q["matching"]["pairs"]},
        "reflection": REFLECTION_TEXT,
    }


def take(user, page, answers_of) -> object:
    attempt = attempt_start(user=user, placement=page)
    answers = answers_of(attempt)
    return attempt, attempt_submit(
        user=user, attempt_id=attempt.pk, data=form_for(attempt, answers)
    )


def course_with_every_question():
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    module = ModulePage.objects.child_of(course).get()
    _quiz, page = quiz_in(module, questions=every_question(), pass_mark=100)
    return course, lessons, page


def answered(attempt) -> dict:
    """The answered statements of ``attempt``, by question type."""
    types = {question["id"]: question["type"] for question in attempt.questions}
    rows = OutboxStatement.objects.filter(
        event__kind="question_answered", event__details__attempt=attempt.number
    )
    return {types[str(row.event.object_key)]: row.payload for row in rows}


def test_every_statement_kind_passes_both_validators(make_user, lrs):
    user = make_user(first_name="Greta", last_name="Gustafsson", email="greta@example.org")
    course, lessons, page = course_with_every_question()
    enrolment_create(user=user, course=course)
    lesson_view(user=user, lesson=lessons[0])
    lesson_complete(user=user, lesson=lessons[0])
    take(user, page, lambda attempt: {"true_false": "false", "reflection": REFLECTION_TEXT})
    take(user, page, right_answers)
    from progress.services import enrolment_leave

    enrolment_leave(user=user, course=course)
    kinds = set(LearningEvent.objects.values_list("kind", flat=True))
    assert kinds == {
        "enrolled", "lesson_started", "lesson_completed", "question_answered", "quiz_failed",
        "quiz_passed", "module_completed", "course_completed", "certificate_issued", "left",
    }  # fmt: skip
    payloads = [row.payload for row in OutboxStatement.objects.all()]
    assert len(payloads) == LearningEvent.objects.count()
    for payload in payloads:
        assert_valid(payload)
        text = json.dumps(payload, ensure_ascii=False)
        for personal in ("greta@example.org", "Greta", "Gustafsson", REFLECTION_TEXT):
            assert personal not in text
    interactions = {
        p["object"]["definition"]["interactionType"]
        for p in payloads
        if p["verb"]["id"] == f"{ADL}/verbs/answered"
    }
    assert interactions == {"choice", "true-false", "sequencing", "matching", "long-fill-in"}


def test_answered_statements_are_cmi_interactions_in_the_specs_formats(make_user, lrs):
    user = make_user()
    course, _lessons, page = course_with_every_question()
    enrolment_create(user=user, course=course)

    def partly_wrong(attempt):
        q = by_type(attempt)
        options = {
            kind: [o["id"] for o in q[kind]["options"]] for kind in q if "options" in q[kind]
        }
        items = [item["id"] for item in q["ordering"]["items"]]
        pairs = [pair["id"] for pair in q["matching"]["pairs"]]
        return {
            "single": options["single"][0],  # 2030: wrong
            "multiple": [options["multiple"][0], options["multiple"][2]],  # one right, one wrong
            "true_false": "true",  # right
            "ordering": [items[1], items[0], items[2]],
            "matching": {pairs[0]: pairs[0], pairs[1]: pairs[2]},  # the third left empty
            "reflection": REFLECTION_TEXT,
        }

    attempt, _ = take(user, page, partly_wrong)
    q = by_type(attempt)
    statements = answered(attempt)
    assert set(statements) == set(q)
    for statement in statements.values():
        assert_valid(statement)
        assert statement["object"]["definition"]["type"] == f"{ADL}/activities/cmi.interaction"

    single = statements["single"]["object"]["definition"]
    ids = [o["id"] for o in q["single"]["options"]]
    assert single["interactionType"] == "choice"
    assert [c["id"] for c in single["choices"]] == ids
    assert [c["description"]["sv-SE"] for c in single["choices"]] == ["2030", "2048", "2060"]
    assert single["correctResponsesPattern"] == [ids[1]]
    assert statements["single"]["result"]["response"] == ids[0]
    assert statements["single"]["result"]["success"] is False

    multiple = statements["multiple"]
    ids = [o["id"] for o in q["multiple"]["options"]]
    assert multiple["object"]["definition"]["interactionType"] == "choice"
    assert multiple["object"]["definition"]["correctResponsesPattern"] == [f"{ids[0]}[,]{ids[1]}"]
    assert multiple["result"]["response"] == f"{ids[0]}[,]{ids[2]}"
    # partial scoring: 1/2 right - 1/1 wrong = 0 of 2 points
    assert multiple["result"]["score"] == {"raw": 0.0, "min": 0, "max": 2, "scaled": 0.0}

    true_false = statements["true_false"]
    assert true_false["object"]["definition"]["interactionType"] == "true-false"
    assert "choices" not in true_false["object"]["definition"]
    assert true_false["object"]["definition"]["correctResponsesPattern"] == ["true"]
    assert true_false["result"]["response"] == "true" and true_false["result"]["success"] is True
    assert true_false["result"]["score"] == {"raw": 1.0, "min": 0, "max": 1, "scaled": 1.0}

    ordering = statements["ordering"]
    items = [item["id"] for item in q["ordering"]["items"]]
    definition = ordering["object"]["definition"]
    assert definition["interactionType"] == "sequencing"
    assert [c["id"] for c in definition["choices"]] == items
    assert [c["description"]["sv-SE"] for c in definition["choices"]] == [
        "Kommun",
        "Region",
        "Stat",
    ]
    assert definition["correctResponsesPattern"] == ["[,]".join(items)]
    assert ordering["result"]["response"] == "[,]".join([items[1], items[0], items[2]])

    matching = statements["matching"]
    pairs = [pair["id"] for pair in q["matching"]["pairs"]]
    definition = matching["object"]["definition"]
    assert definition["interactionType"] == "matching"
    assert [c["id"] for c in definition["source"]] == pairs
    assert [c["id"] for c in definition["target"]] == pairs
    assert definition["source"][0]["description"] == {"sv-SE": "Folkhälsomyndigheten"}
    assert definition["target"][1]["description"] == {"sv-SE": "Regional samordning"}
    assert definition["correctResponsesPattern"] == ["[,]".join(f"{p}[.]{p}" for p in pairs)]
    assert matching["result"]["response"] == f"{pairs[0]}[.]{pairs[0]}[,]{pairs[1]}[.]{pairs[2]}"
    assert matching["result"]["success"] is False

    reflection = statements["reflection"]
    definition = reflection["object"]["definition"]
    assert definition["interactionType"] == "long-fill-in"
    assert "correctResponsesPattern" not in definition and "choices" not in definition
    assert reflection["result"] == {"completion": True}  # no response, no score
    event = LearningEvent.objects.get(object_key=q["reflection"]["id"])
    assert REFLECTION_TEXT not in json.dumps(event.details, ensure_ascii=False)


def test_the_learners_data_download_does_not_name_the_correct_answers(make_user, lrs):
    """The event keeps the correct responses for the statement; the learner's copy of their
    data leaves them out (the quiz's review policy decides what a learner sees of them)."""
    from elearning.accounts.personal_data import personal_data_export

    user = make_user()
    course, _lessons, page = course_with_every_question()
    enrolment_create(user=user, course=course)
    attempt, _ = take(user, page, lambda attempt: {"reflection": REFLECTION_TEXT})
    attempt_start(user=user, placement=page)  # attempts are left
    events = personal_data_export(user)["enrolments"][0]["events"]
    answered_events = [event for event in events if event["kind"] == "question_answered"]
    assert answered_events and all("interaction" not in e["details"] for e in answered_events)
    text = json.dumps(personal_data_export(user), ensure_ascii=False, default=str)
    assert "correct_responses" not in text
    for option in by_type(attempt)["single"]["options"]:
        assert option["id"] not in text  # the options are named nowhere in the download
    assert answered(attempt)["reflection"]["object"]["definition"]["interactionType"] == (
        "long-fill-in"
    )


def test_answered_statements_use_the_snapshots_ids_only(make_user, lrs):
    """What the statement names comes from the stored questions; an answer value that is not
    one of their ids (a served token, a tampered value) never reaches the LRS."""
    from progress.services import _interaction

    question = {
        "id": "q1",
        "type": "single",
        "text": "?",
        "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
    }
    assert "response" not in _interaction(question, "tok-3f9c")
    assert _interaction(question, "a")["response"] == ["a"]
    matching = {"id": "q2", "type": "matching", "pairs": [{"id": "p", "prompt": "P", "match": "M"}]}
    assert "response" not in _interaction(matching, {"p": "tok-1"})
    ordering = {"id": "q3", "type": "ordering", "items": [{"id": "x", "text": "X"}]}
    assert "response" not in _interaction(ordering, ["tok-x"])
    assert "response" not in _interaction({"id": "q4", "type": "reflection"}, "my own words")


QUIZ_SHAPES = {
    "reflections only": [every_question()[5], every_question()[5]],
    "a question worth nothing": [
        {**every_question()[2], "value": {**every_question()[2]["value"], "points": 0}}
    ],
    "partial scoring": [every_question()[1]],
    "every type": every_question(),
}


@pytest.mark.parametrize("shape", QUIZ_SHAPES)
def test_scores_follow_the_rules_for_every_quiz_shape(make_user, lrs, shape):
    user = make_user()
    course, _ = course_tree(modules=1, lessons_per_module=1)
    module = ModulePage.objects.child_of(course).get()
    _quiz, page = quiz_in(module, questions=QUIZ_SHAPES[shape])
    enrolment_create(user=user, course=course)

    def something(attempt):
        answers = {"reflection": REFLECTION_TEXT, "true_false": "true"}
        for question in attempt.questions:
            if question["type"] == "multiple":
                answers["multiple"] = [question["options"][0]["id"]]
        return answers

    attempt, result = take(user, page, something)
    rows = OutboxStatement.objects.filter(event__kind__in=["quiz_passed", "quiz_failed"])
    quiz = rows.get().payload
    assert_valid(quiz)
    for statement in answered(attempt).values():
        assert_valid(statement)
    if result.max_score == 0:  # nothing to score: no score at all, never min = max = 0
        assert "score" not in quiz["result"]
        assert quiz["result"]["success"] is True and quiz["result"]["completion"] is True
    else:
        score = quiz["result"]["score"]
        assert score["min"] == 0 < score["max"] == result.max_score
        assert score["raw"] == result.score
        assert score["scaled"] == round(result.score / result.max_score, 4)


def test_the_certificate_is_the_object_of_earned_and_leads_to_no_one(make_user, lrs):
    user = make_user()
    course, lessons, page = course_with_every_question()
    enrolment_create(user=user, course=course)
    lesson_view(user=user, lesson=lessons[0])
    lesson_complete(user=user, lesson=lessons[0])
    take(user, page, right_answers)
    certificate = Certificate.objects.get()
    earned = OutboxStatement.objects.get(event__kind="certificate_issued").payload
    assert_valid(earned)
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    activity = earned["object"]
    assert activity["definition"]["type"] == "http://id.tincanapi.com/activitytype/certificate"
    assert activity["id"].startswith("http://127.0.0.1:8000/xapi/activities/certificate/")
    assert activity["definition"]["name"]["sv-SE"] == f"Intyg: {course.title}"
    course_id = f"http://127.0.0.1:8000/xapi/activities/course/{course.translation_key}"
    assert activity["id"] != course_id
    assert earned["context"]["contextActivities"]["parent"][0]["id"] == course_id
    text = json.dumps(earned, ensure_ascii=False)
    assert certificate.code not in text and certificate.code.lower() not in text.lower()
    assert certificate.claim["verification_url"] not in text
    assert "/intyg/" not in text and "/certificates/" not in text
    assert "extensions" not in earned["result"]
    # The same event gives the same certificate activity, every time.
    event = LearningEvent.objects.get(kind="certificate_issued")
    assert statement_for(event, learner_id=user.learner_id)["object"] == activity


def reset_event_ids() -> None:
    """Set the learning events' id sequence back to the start, as in a new database."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [LearningEvent]):
            cursor.execute(sql)


def installation_forget() -> None:
    """What a new installation, a reset database or an older backup has not seen."""
    OutboxStatement.objects.all().delete()
    LearningEvent.objects.all().delete()
    Enrolment.objects.all().delete()
    LearningRecordStore.objects.all().delete()
    reset_event_ids()


def test_two_installations_sending_to_one_lrs_get_no_conflict(make_user, site):
    standin = StandIn()
    try:
        course, _ = course_tree()
        first_ids = []
        for installation in ("Malmö", "Lund"):
            installation_forget()
            store = LearningRecordStore.objects.create(
                name=f"lrs-{installation}", endpoint=standin.url
            )
            enrolment_create(
                user=make_user(email=f"first@{installation}.example.org"), course=course
            )
            event = LearningEvent.objects.get()
            first_ids.append(event.pk)
            assert delivery.lrs_deliver(lrs_id=store.pk) == 1
            row = store.outbox.get()
            assert (row.status, row.last_error) == ("sent", "")
        assert first_ids[0] == first_ids[1]  # the same first event, the same key
        assert len(standin.stored) == 2  # both kept, nothing refused as a conflict
        assert {s["verb"]["id"] for s in standin.stored.values()} == {f"{ADL}/verbs/registered"}
    finally:
        standin.close()


def test_a_statement_id_is_kept_with_its_event(make_user, lrs):
    course, _ = course_tree()
    user = make_user()
    enrolment_create(user=user, course=course)
    event = LearningEvent.objects.get()
    row = OutboxStatement.objects.get()
    assert uuid.UUID(row.payload["id"]) == row.statement_id == event.statement_id
    assert event.statement_id.version == 4  # random, not derived from the key
    assert statement_for(event, learner_id=user.learner_id)["id"] == row.payload["id"]


def test_events_from_before_keep_the_id_they_were_sent_with(make_user, lrs):
    """An event written before events kept their id is sent under the old key-derived id, and
    a re-send keeps it; one that was never sent gets a random id of its own."""
    from django.utils import timezone

    course, lessons = course_tree()
    user = make_user()
    enrolment_create(user=user, course=course)
    lesson_view(user=user, lesson=lessons[0])
    sent, unsent = LearningEvent.objects.order_by("id")
    legacy = str(uuid.uuid5(LEGACY_STATEMENT_NAMESPACE, f"learning-event:{sent.pk}"))
    LearningEvent.objects.update(statement_id=None)
    OutboxStatement.objects.filter(event=sent).update(statement_id=legacy)
    OutboxStatement.objects.filter(event=unsent).delete()
    sent.refresh_from_db()
    assert statement_for(sent, learner_id=user.learner_id)["id"] == legacy

    today = timezone.localdate().isoformat()
    call_command("xapi_resend", since=today, until=today)
    sent.refresh_from_db()
    unsent.refresh_from_db()
    assert str(sent.statement_id) == legacy
    assert list(sent.statements.values_list("statement_id", flat=True)) == [uuid.UUID(legacy)]
    assert unsent.statement_id is not None and unsent.statement_id.version == 4
    assert str(unsent.statements.get().statement_id) == str(unsent.statement_id)


def test_ralph_stores_every_statement_kind_as_built(make_user, ralph, ralph_store):
    """The real LRS takes every kind, every interaction type included, and keeps it as sent."""
    user = make_user()
    course, lessons, page = course_with_every_question()
    enrolment_create(user=user, course=course)
    lesson_view(user=user, lesson=lessons[0])
    lesson_complete(user=user, lesson=lessons[0])
    take(user, page, lambda attempt: {"true_false": "false", "reflection": REFLECTION_TEXT})
    take(user, page, right_answers)
    assert delivery.lrs_deliver(lrs_id=ralph_store.pk) == ralph_store.outbox.count()
    assert set(ralph_store.outbox.values_list("status", flat=True)) == {"sent"}
    stored = {statement["id"]: statement for statement in ralph.statements()}
    assert set(stored) == {row.payload["id"] for row in ralph_store.outbox.all()}
    for row in ralph_store.outbox.all():
        for key in ("verb", "object", "context", "result"):
            assert stored[row.payload["id"]].get(key) == row.payload.get(key), key
        assert not statement_problems(stored[row.payload["id"]])
