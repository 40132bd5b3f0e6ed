"""One reminder after 14 days away from a started course; an opt-out link that works
without signing in."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from elearning.celery import app
from progress.models import Enrolment
from progress.services import enrolment_create, lesson_view
from progress.tasks import reminders_send
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    """Run queued tasks in this process (the e-mail goes to Django's test outbox)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def away(enrolment, days):
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_activity_at=timezone.now() - timedelta(days=days)
    )


def test_one_reminder_per_absence(make_user, site, eager_tasks, django_capture_on_commit_callbacks):
    course, lessons = course_tree()
    user = make_user(first_name="Rita", last_name="Rast")
    enrolment, _ = enrolment_create(user=user, course=course)
    away(enrolment, 13)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 0
    away(enrolment, 15)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 1
        assert reminders_send() == 0  # idempotent: the same absence is not reminded twice
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Fortsätt kursen Kurs kurs"
    assert (
        "Hej Rita Rast," in message.body and "http://127.0.0.1:8000/sv/kurser/kurs/" in message.body
    )
    # Coming back starts a new absence, which can be reminded again.
    lesson_view(user=user, lesson=lessons[0])
    away(enrolment, 20)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 1


def test_no_reminder_after_completion_leaving_or_opting_out(make_user, site, eager_tasks):
    course, _ = course_tree()
    for email, change in [
        ("done@example.org", {"completed_at": timezone.now()}),
        ("left@example.org", {"left_at": timezone.now()}),
    ]:
        enrolment, _ = enrolment_create(user=make_user(email=email), course=course)
        Enrolment.objects.filter(pk=enrolment.pk).update(**change)
        away(enrolment, 30)
    opted_out = make_user(email="no@example.org", reminders_opt_out=True)
    away(enrolment_create(user=opted_out, course=course)[0], 30)
    assert reminders_send() == 0


def test_the_opt_out_link_works_without_signing_in(
    client, make_user, site, eager_tasks, django_capture_on_commit_callbacks
):
    course, _ = course_tree()
    user = make_user(preferred_language="en")
    away(enrolment_create(user=user, course=course)[0], 15)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reminders/" in line)
    path = link.replace("http://127.0.0.1:8000", "")
    page = client.get(path)
    assert page.status_code == 200 and "Stop reminders" in page.content.decode()
    user.refresh_from_db()
    assert not user.reminders_opt_out  # a GET (a mail scanner) changes nothing
    response = client.post(path)
    assert "You will get no more reminders" in response.content.decode()
    user.refresh_from_db()
    assert user.reminders_opt_out


def test_a_tampered_opt_out_link_is_refused(client, make_user, site):
    user = make_user()
    response = client.post(f"/en/account/reminders/{user.pk}:forged/")
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    user.refresh_from_db()
    assert not user.reminders_opt_out
