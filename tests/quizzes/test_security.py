"""Tampered posts: every one gets a 4xx with a clear message and changes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from courses.models import QuizPage
from progress.models import LearningEvent
from progress.services import enrolment_create
from quizzes.models import Attempt, AttemptAnswer
from quizzes.services import QuizError, attempt_start, attempt_submit
from quizzes.tokens import token
from tests.conftest import at_once
from tests.quizzes.conftest import perfect

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(client, quiz_setup):
    client.post(f"/sv/quiz/{quiz_setup['page'].pk}/starta/")
    return Attempt.objects.get()


def url(attempt):
    return f"/sv/quiz/forsok/{attempt.pk}/"


def unchanged(attempt):
    fresh = Attempt.objects.get(pk=attempt.pk)
    assert fresh.is_open and fresh.answers == attempt.answers and fresh.score is None
    assert not AttemptAnswer.objects.exists()
    assert not LearningEvent.objects.filter(kind__startswith="quiz_").exists()


def field(attempt, number, suffix=""):
    return f"q-{attempt.questions[number - 1]['id']}{suffix}"


def q(attempt, number):
    return attempt.questions[number - 1]


NOT_AN_OPTION = "svaret är inte ett av frågans alternativ."
TAMPERING = {
    "unknown question": (lambda a: {"q-no-such-question": "x"}, "ett fält det inte ska ha"),
    "a score": (lambda a: {"score": "100"}, "ett fält det inte ska ha: score"),
    "a pass": (lambda a: {"passed": "true"}, "ett fält det inte ska ha: passed"),
    "unknown option": (lambda a: {field(a, 1): "not-an-option"}, f"Fråga 1: {NOT_AN_OPTION}"),
    "two single answers": (
        lambda a: {field(a, 1): [token(o) for o in q(a, 1)["options"][:2]]},
        "Fråga 1 har bara ett svar.",
    ),
    "forged multiple": (lambda a: {field(a, 2): ["forged"]}, f"Fråga 2: {NOT_AN_OPTION}"),
    "same position twice": (
        lambda a: {field(a, 4, f"-{token(i)}"): "1" for i in q(a, 4)["items"]},
        "Fråga 4: ge varje del en egen plats",
    ),
    "negative position": (
        lambda a: {field(a, 4, f"-{token(q(a, 4)['items'][0])}"): "-3"},
        f"Fråga 4: {NOT_AN_OPTION}",
    ),
    "forged match": (
        lambda a: {field(a, 5, f"-{token(q(a, 5)['pairs'][0], 'prompt_token')}"): "forged"},
        f"Fråga 5: {NOT_AN_OPTION}",
    ),
    "a stable option id instead of its token": (
        lambda a: {field(a, 1): q(a, 1)["options"][1]["id"]},
        f"Fråga 1: {NOT_AN_OPTION}",
    ),
    "true/false by name instead of its token": (
        lambda a: {field(a, 3): "true"},
        f"Fråga 3: {NOT_AN_OPTION}",
    ),
    "a position in another script's digits": (
        lambda a: {field(a, 4, f"-{token(q(a, 4)['items'][0])}"): "\u0661"},
        f"Fråga 4: {NOT_AN_OPTION}",
    ),
    "a position of 5000 digits": (
        lambda a: {field(a, 4, f"-{token(q(a, 4)['items'][0])}"): "1" * 5000},
        f"Fråga 4: {NOT_AN_OPTION}",
    ),
    "an ordering item by its stable id": (
        lambda a: {field(a, 4, f"-{q(a, 4)['items'][0]['id']}"): "1"},
        "ett fält det inte ska ha",
    ),
    "two positions for one item": (
        lambda a: {field(a, 4, f"-{token(q(a, 4)['items'][0])}"): ["1", "2"]},
        "Fråga 4: varje meny tar ett svar.",
    ),
    "a match named by its prompt's token": (
        lambda a: {
            field(a, 5, f"-{token(p, 'prompt_token')}"): token(p, "prompt_token")
            for p in q(a, 5)["pairs"]
        },
        f"Fråga 5: {NOT_AN_OPTION}",
    ),
    "a prompt by its stable id (the old leaking form)": (
        lambda a: {field(a, 5, f"-{p['id']}"): p["id"] for p in q(a, 5)["pairs"]},
        "ett fält det inte ska ha",
    ),
    "two matches for one prompt": (
        lambda a: {
            field(a, 5, f"-{token(q(a, 5)['pairs'][0], 'prompt_token')}"): [
                token(p, "match_token") for p in q(a, 5)["pairs"][:2]
            ]
        },
        "Fråga 5: varje meny tar ett svar.",
    ),
    "two reflection texts": (lambda a: {field(a, 6): ["ett", "två"]}, "Fråga 6 har bara ett svar."),
    "a NUL in a text": (
        lambda a: {field(a, 6): "Min tanke\x00"},
        "Fråga 6: texten har styrtecken som den inte kan ha.",
    ),
    "overlong text": (lambda a: {field(a, 6): "x" * 5001}, "Fråga 6: högst 5000 tecken."),
}


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampered_answers_are_refused(client, attempt, action, case):
    tamper, message = TAMPERING[case]
    response = client.post(url(attempt), {**tamper(attempt), "action": action})
    assert response.status_code == 400
    assert message in response.content.decode()
    unchanged(attempt)


def test_an_unknown_action_is_refused(client, attempt):
    response = client.post(url(attempt), {**perfect(attempt), "action": "grade-me"})
    assert response.status_code == 400 and "Välj Spara eller Lämna in." in response.content.decode()
    unchanged(attempt)


def test_another_learners_attempt_is_not_found(client, attempt, make_user, quiz_setup):
    other = make_user(email="other@example.org")
    enrolment_create(user=other, course=quiz_setup["course"])
    client.force_login(other)
    for method, path in (
        ("get", url(attempt)),
        ("post", url(attempt)),
        ("get", f"{url(attempt)}resultat/"),
    ):
        response = getattr(client, method)(
            path, {**perfect(attempt), "action": "submit"} if method == "post" else None
        )
        assert response.status_code == 404
    unchanged(attempt)


def test_a_submit_after_the_time_limit_grades_what_was_saved_before_it(client, attempt):
    """Never refused (issue 14, WCAG 2.2.1): the late answers are not taken, the answers
    saved before the deadline are graded."""
    single = attempt.questions[0]
    client.post(url(attempt), {f"q-{single['id']}": token(single["options"][0]), "action": "save"})
    attempt.refresh_from_db()
    saved = dict(attempt.answers)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = client.post(url(attempt), {**perfect(attempt), "action": "submit"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/resultat/")
    assert "Tiden tog slut innan de här svaren kom fram" in response.content.decode()
    closed = Attempt.objects.get(pk=attempt.pk)
    assert not closed.is_open and closed.answers == saved and closed.score == 0.0
    assert closed.submitted_at == closed.deadline
    assert AttemptAnswer.objects.filter(attempt=closed).count() == len(closed.questions)


def test_an_attempt_opened_after_its_time_is_closed_with_the_saved_answers(client, attempt):
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = client.get(url(attempt))
    assert response.status_code == 302 and response["Location"].endswith("/resultat/")
    closed = Attempt.objects.get(pk=attempt.pk)
    assert not closed.is_open and closed.score == 0.0


def test_quiz_actions_need_an_enrolment(client, make_user, quiz_setup):
    client.force_login(make_user(email="stranger@example.org"))
    response = client.post(f"/sv/quiz/{quiz_setup['page'].pk}/starta/", follow=True)
    assert "Du är inte anmäld till den här kursen." in response.content.decode()
    response = client.get(quiz_setup["page"].url)
    assert response.status_code == 302
    assert not Attempt.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["start", "submit"])
def test_parallel_starts_and_submits_never_double(quiz_setup, what):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    learner, page = quiz_setup["learner"], QuizPage.objects.get(pk=quiz_setup["page"].pk)
    page.quiz.attempts_allowed = 1
    page.quiz.save()
    if what == "submit":
        first = attempt_start(user=learner, placement=page)
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for key, value in perfect(first).items():
            data.setlist(key, value if isinstance(value, list) else [value])

    def act():
        if what == "start":
            return attempt_start(user=learner, placement=page)
        return attempt_submit(user=learner, attempt_id=first.pk, data=data)

    errors = [o for o in at_once(act, expected=(QuizError,)) if isinstance(o, QuizError)]
    assert Attempt.objects.count() == 1
    if what == "submit":
        assert len(errors) == 3  # the others were told it was already submitted
        assert LearningEvent.objects.filter(kind="quiz_passed").count() == 1
        assert AttemptAnswer.objects.count() == 6
