"""Enrolling and leaving; only enrolled learners open lessons."""

import pytest
from django.db import connection
from django.test import Client

from progress.models import Enrolment, LearningEvent
from progress.services import enrolment_create
from tests.conftest import at_once
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


def enrol_url(course):
    return f"/sv/framsteg/kurs/{course.pk}/anmal/"


def test_enrolling_creates_one_enrolment_with_a_random_registration(client, make_user, site):
    course, _ = course_tree()
    user = make_user(role_category="elected")
    client.force_login(user)
    response = client.post(enrol_url(course))
    assert response.status_code == 302 and response["Location"] == course.url
    client.post(enrol_url(course))  # a double click
    enrolment = Enrolment.objects.get()
    assert enrolment.user == user and enrolment.course_key == course.translation_key
    assert enrolment.organisation == user.organisation and enrolment.role_category == "elected"
    other = enrolment_create(user=make_user(email="b@example.org"), course=course)[0]
    assert enrolment.registration != other.registration
    assert LearningEvent.objects.filter(kind="enrolled", enrolment=enrolment).count() == 1
    assert "Dina framsteg" in client.get(course.url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_parallel_enrolments_make_one(make_user, site):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    course, _ = course_tree()
    user = make_user()
    at_once(lambda: enrolment_create(user=user, course=course))
    assert Enrolment.objects.count() == 1
    assert LearningEvent.objects.filter(kind="enrolled").count() == 1


def test_enrolling_needs_sign_in_a_post_and_a_live_course(client, make_user, site):
    course, _ = course_tree()
    response = client.post(enrol_url(course))
    assert response.status_code == 302 and "/sv/konto/logga-in/" in response["Location"]
    client.force_login(make_user())
    assert client.get(enrol_url(course)).status_code == 405
    assert client.post("/sv/framsteg/kurs/999999/anmal/").status_code == 404
    course.unpublish()
    assert client.post(enrol_url(course)).status_code == 404
    assert not Enrolment.objects.exists()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(email="c@example.org"))
    assert csrf_client.post(enrol_url(course)).status_code == 403


def test_only_enrolled_learners_open_lessons(client, make_user, site):
    course, lessons = course_tree()
    response = client.get(lessons[0].url)
    assert response.status_code == 302 and response["Location"].startswith("/sv/konto/logga-in/")
    client.force_login(make_user())
    response = client.get(lessons[0].url, follow=True)
    assert response.redirect_chain[-1][0] == course.url
    assert "Du är inte anmäld till den här kursen." in response.content.decode()
    client.post(enrol_url(course))
    assert client.get(lessons[0].url).status_code == 200


def test_leaving_keeps_progress_and_coming_back_restores_it(client, make_user, site):
    course, lessons = course_tree()
    client.force_login(make_user())
    client.post(enrol_url(course))
    client.post(f"/sv/framsteg/lektion/{lessons[0].pk}/klar/")
    client.post(f"/sv/framsteg/kurs/{course.pk}/lamna/")
    assert client.get(lessons[1].url).status_code == 302
    client.post(enrol_url(course))
    assert "1 av 3 lektioner klara" in client.get(course.url).content.decode()
    kinds = list(LearningEvent.objects.values_list("kind", flat=True))
    assert kinds.count("enrolled") == 2 and kinds.count("left") == 1
