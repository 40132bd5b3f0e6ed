import pytest

from courses.models import ModulePage
from progress.services import enrolment_create
from quizzes.tokens import token
from tests.factories import course_tree, quiz_in


def choice(question: dict, option_id: str) -> str:
    """What the form posts for the option ``option_id`` (a stable id, or "true"/"false") of
    ``question``: its token in this attempt."""
    return token(next(o for o in question["options"] if o["id"] == option_id))


def perfect(attempt) -> dict:
    """The POST data of a perfect answer to every question of ``attempt``, built from its
    snapshot (the ground truth), in the attempt's tokens as the form posts them."""
    data = {}
    for q in attempt.questions:
        key = f"q-{q['id']}"
        if q["type"] in ("single", "true_false"):
            data[key] = next(token(o) for o in q["options"] if o["correct"])
        elif q["type"] == "multiple":
            data[key] = [token(o) for o in q["options"] if o["correct"]]
        elif q["type"] == "ordering":
            for position, item in enumerate(q["items"], start=1):
                data[f"{key}-{token(item)}"] = str(position)
        elif q["type"] == "matching":
            for pair in q["pairs"]:
                data[f"{key}-{token(pair, 'prompt_token')}"] = token(pair, "match_token")
        else:
            data[key] = "Jag tänker på det."
    return data


@pytest.fixture
def quiz_setup(client, make_user, site):
    """A course with one module (2 lessons and a quiz of every question type), a learner
    enrolled and signed in."""
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    module = ModulePage.objects.child_of(course).get()
    quiz, page = quiz_in(module)
    learner = make_user(email="learner@example.org")
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    return {
        "course": course,
        "lessons": lessons,
        "module": module,
        "quiz": quiz,
        "page": page,
        "learner": learner,
    }
