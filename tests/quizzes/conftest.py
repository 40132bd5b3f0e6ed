import pytest

from courses.models import ModulePage
from progress.services import enrolment_create
from tests.factories import course_tree, quiz_in


def perfect(attempt) -> dict:
    """The POST data of a perfect answer to every question of ``attempt``."""
    data = {}
    for q in attempt.questions:
        key = f"q-{q['id']}"
        if q["type"] in ("single", "true_false"):
            data[key] = next(o["id"] for o in q["options"] if o["correct"])
        elif q["type"] == "multiple":
            data[key] = [o["id"] for o in q["options"] if o["correct"]]
        elif q["type"] == "ordering":
            for position, item in enumerate(q["items"], start=1):
                data[f"{key}-{item['id']}"] = str(position)
        elif q["type"] == "matching":
            for pair in q["pairs"]:
                data[f"{key}-{pair['id']}"] = pair["id"]
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
