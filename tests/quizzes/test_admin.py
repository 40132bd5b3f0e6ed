"""Authors write quizzes in the admin and read item statistics about them."""

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from elearning.accounts import roles
from quizzes.models import Attempt, Quiz
from tests.quizzes.conftest import perfect

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client, make_user):
    user = make_user(email="author@example.org")
    user.groups.add(Group.objects.get(name=roles.AUTHORS))
    return user


def test_an_author_writes_a_quiz_in_the_admin(client, author):
    client.force_login(author)
    data = nested_form_data(
        {
            "title": "Kontrollfrågor",
            "instructions": rich_text("<p>Svara på frågorna.</p>"),
            "pass_mark": 70,
            "review_policy": "after_each",
            "questions": streamfield(
                [
                    (
                        "true_false",
                        {
                            "text": "Målet gäller alla sektorer.",
                            "points": 1,
                            "correct": "on",
                            "feedback_true": "",
                            "feedback_false": "",
                            "explanation": rich_text(""),
                            "tag": "",
                        },
                    )
                ]
            ),
            "feedback_bands": streamfield([]),
            "locale": 1,
        }
    )
    response = client.post("/admin/snippets/quizzes/quiz/add/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    quiz = Quiz.objects.get(title="Kontrollfrågor")
    assert [block.block_type for block in quiz.questions] == ["true_false"]


def test_item_statistics_show_shares_per_question_and_option(client, quiz_setup, make_user, author):
    from progress.services import enrolment_create

    page = quiz_setup["page"]
    for n, answers in enumerate(["perfect", "empty", "perfect"]):
        learner = quiz_setup["learner"] if n == 0 else make_user(email=f"l{n}@example.org")
        enrolment_create(user=learner, course=quiz_setup["course"])
        client.force_login(learner)
        client.post(f"/sv/quiz/{page.pk}/starta/")
        attempt = Attempt.objects.latest("pk")
        data = perfect(attempt) if answers == "perfect" else {}
        client.post(f"/sv/quiz/forsok/{attempt.pk}/", {**data, "action": "submit"})
    client.force_login(author)
    index = client.get("/admin/quizzes/statistics/").content.decode()
    assert "Quiz quiz" in index and "67 %" in index  # 2 of 3 passed
    body = client.get(f"/admin/quizzes/statistics/{quiz_setup['quiz'].pk}/").content.decode()
    assert "3 inlämnade försök, 2 godkända." in body
    assert "2 / 3" in body  # two answered the first question, three were served it
    assert "2048 (rätt): 100 %" in body  # all who answered chose it
    assert "2030: 0 %" in body


def test_learners_do_not_see_statistics(client, quiz_setup):
    response = client.get("/admin/quizzes/statistics/")
    assert response.status_code == 302
