"""The learner's own data: download everything, delete the account and keep only anonymous
records."""

import json

import pytest
from django.apps import apps
from django.db import models

from elearning.accounts.models import User
from progress.models import Enrolment, LearningEvent
from progress.services import enrolment_create, lesson_complete
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


def finish(user, course, lessons, reflection=None):
    enrolment_create(user=user, course=course)
    for lesson in lessons:
        lesson_complete(user=user, lesson=lesson)
    if reflection is not None:
        from django.http import QueryDict

        from courses.models import ModulePage
        from quizzes.services import attempt_start, attempt_submit
        from tests.factories import every_question, quiz_in

        module = ModulePage.objects.child_of(course).get()
        page = quiz_in(module, questions=every_question()[-1:], slug=f"q-{user.pk}")[1]
        attempt = attempt_start(user=user, placement=page)
        data = QueryDict(mutable=True)
        data[f"q-{attempt.questions[0]['id']}"] = reflection
        attempt_submit(user=user, attempt_id=attempt.pk, data=data)


def test_download_has_everything_about_me_and_nothing_about_others(client, make_user, site):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    me = make_user(email="me@example.org", first_name="Mia", last_name="Mig")
    other = make_user(email="other@example.org", first_name="Olle", last_name="Annan")
    finish(me, course, lessons, reflection="Min egen tanke")
    finish(other, course, lessons[:1])
    client.force_login(me)
    assert "Ladda ner mina uppgifter" in client.get("/sv/konto/mina-uppgifter/").content.decode()
    response = client.post("/sv/konto/mina-uppgifter/")
    assert response["Content-Disposition"] == 'attachment; filename="mina-uppgifter.json"'
    data = json.loads(response.content)
    assert data["profile"]["email"] == "me@example.org"
    [enrolment] = data["enrolments"]
    assert enrolment["registration"] == str(Enrolment.objects.get(user=me).registration)
    assert len(enrolment["lessons"]) == 2 and enrolment["completed_at"]
    [attempt] = enrolment["attempts"]
    assert "Min egen tanke" in attempt["answers"].values() and attempt["passed"]
    assert {e["kind"] for e in enrolment["events"]} >= {
        "enrolled",
        "lesson_completed",
        "course_completed",
    }
    text = response.content.decode()
    assert "other@example.org" not in text and "Olle" not in text
    assert str(Enrolment.objects.get(user=other).registration) not in text


def text_columns_containing(value):
    """Every (model, field) whose stored text contains ``value``, over the whole database."""
    found = []
    for model in apps.get_models():
        fields = [
            f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]  # fmt: skip
        for field in fields:
            lookup = f"{field.name}__icontains"
            if model._default_manager.filter(**{lookup: value}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_deleting_the_account_removes_the_person_and_keeps_the_statistics(client, make_user, site):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    me = make_user(email="radera.mig@example.org", first_name="Raderad", last_name="Personsson")
    finish(me, course, lessons, reflection="Jag heter Raderad Personsson")
    completed_before = Enrolment.objects.filter(completed_at__isnull=False).count()
    events_before = LearningEvent.objects.count()
    client.force_login(me)

    response = client.post("/sv/konto/radera/", {"password": "fel-lösenord", "confirm": "on"})
    assert "Lösenordet är fel." in response.content.decode()
    response = client.post("/sv/konto/radera/", {"password": "a-long-test-password"})
    assert "Kryssa i rutan för att bekräfta." in response.content.decode()
    assert User.objects.filter(pk=me.pk).exists()

    response = client.post(
        "/sv/konto/radera/", {"password": "a-long-test-password", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=me.pk).exists()
    for value in ("radera.mig@example.org", "Personsson", "Raderad"):
        assert text_columns_containing(value) == [], value
    assert Enrolment.objects.filter(completed_at__isnull=False).count() == completed_before
    assert LearningEvent.objects.count() == events_before
    enrolment = Enrolment.objects.get()
    assert enrolment.user is None and enrolment.organisation.name == "Stockholm"
    assert "_auth_user_id" not in client.session
