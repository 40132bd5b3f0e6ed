"""'Mina kurser': courses in progress with the next step, completed courses, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.services import enrolment_create
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


def test_dashboard_shows_progress_next_step_and_completed_courses(client, enrolled, site):
    course, lessons = course_tree(modules=1, lessons_per_module=3, slug="pagaende")
    done_course, done_lessons = course_tree(modules=1, lessons_per_module=1, slug="klar")
    enrolled(course)
    enrolled(done_course)
    client.get(lessons[0].url)
    client.post(f"/sv/framsteg/lektion/{lessons[0].pk}/klar/")
    client.get(lessons[1].url)  # opened, not finished: this is where to continue
    client.post(f"/sv/framsteg/lektion/{done_lessons[0].pk}/klar/")
    body = client.get("/sv/mina-kurser/").content.decode()
    in_progress, completed = body.split('id="completed-title"')
    assert "Kurs pagaende" in in_progress and "1 av 3 lektioner klara (33 %)" in in_progress
    assert f'href="{lessons[1].url}">Fortsätt' in in_progress
    assert "Nästa: Lektion 1.2" in in_progress
    assert "Kurs klar" in completed and "Slutförd den" in completed


def test_the_dashboard_needs_sign_in(client, site):
    response = client.get("/sv/mina-kurser/")
    assert response.status_code == 302 and "/sv/konto/logga-in/" in response["Location"]


def test_dashboard_queries_do_not_grow_with_courses_or_lessons(client, enrolled, site):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sv/mina-kurser/").status_code == 200
        return len(captured)

    small, _ = course_tree(modules=1, lessons_per_module=2, slug="a")
    user = enrolled(small)
    client.get("/sv/mina-kurser/")
    one_course = count()
    for slug in ("b", "c", "d"):
        course, _ = course_tree(modules=3, lessons_per_module=6, slug=slug)
        enrolment_create(user=user, course=course)
    client.get("/sv/mina-kurser/")
    assert count() == one_course
