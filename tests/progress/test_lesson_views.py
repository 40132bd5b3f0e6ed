"""Issue 17: a lesson view writes nothing unless the learner's state changes; time spent
keeps its meaning (capped gaps between sightings) and cannot be inflated by repeated or
parallel views."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from progress.models import Enrolment, LessonProgress
from progress.services import GAP_CAP, VIEW_STEP, enrolment_create, lesson_view
from tests.conftest import at_once
from tests.factories import course_tree

WRITES = ("INSERT", "UPDATE", "DELETE", "FOR UPDATE")


def writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if any(w in q["sql"] for w in WRITES)]


@pytest.mark.django_db
def test_a_view_within_the_step_writes_nothing(client, site, enrolled, clock):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    enrolled(course)
    assert client.get(lessons[0].url).status_code == 200  # the first view starts the lesson
    assert LessonProgress.objects.filter(lesson_key=lessons[0].translation_key).exists()
    clock.shift(VIEW_STEP.total_seconds() - 5)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(lessons[0].url).status_code == 200
    assert writes(captured) == []


@pytest.mark.django_db
def test_views_after_the_step_count_capped_gaps_and_move_the_resume_point_at_once(
    client, site, enrolled, clock
):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    enrolled(course)
    client.get(lessons[0].url)
    clock.shift(90)
    with CaptureQueriesContext(connection) as captured:
        client.get(lessons[0].url)
    assert writes(captured) and not any("FOR UPDATE" in sql for sql in writes(captured))
    progress = LessonProgress.objects.get(lesson_key=lessons[0].translation_key)
    assert 90 <= progress.time_spent_seconds <= 91
    clock.shift(3 * 60 * 60)  # away for hours: the gap counts as the cap
    client.get(lessons[0].url)
    progress.refresh_from_db()
    assert progress.time_spent_seconds - 90 in range(int(GAP_CAP.total_seconds()) - 1, 602)

    client.get(lessons[1].url)  # another lesson, within the step: the resume point moves
    client.get(lessons[0].url)
    enrolment = Enrolment.objects.get()
    assert enrolment.last_lesson_key == lessons[0].translation_key


@pytest.mark.django_db
def test_a_view_clears_a_sent_reminder_at_once(client, site, enrolled, clock):
    course, lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    enrolled(course)
    client.get(lessons[0].url)
    Enrolment.objects.update(reminder_sent_at=timezone.now())
    client.get(lessons[0].url)  # within the step, but the state changes
    assert Enrolment.objects.get().reminder_sent_at is None


@pytest.mark.django_db(transaction=True)
def test_repeated_and_parallel_views_cannot_inflate_time_spent(site, make_user, clock):
    course, lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    lesson = lessons[0]
    user = make_user()
    enrolment_create(user=user, course=course)
    started = timezone.now()
    lesson_view(user=user, lesson=lesson)
    for _ in range(30):  # a reload every two seconds for a minute
        clock.shift(2)
        lesson_view(user=user, lesson=lesson)
    clock.shift(100)
    at_once(lambda: lesson_view(user=user, lesson=lesson), times=6)  # six tabs at once
    for _ in range(20):
        at_once(lambda: lesson_view(user=user, lesson=lesson), times=3)
    progress = LessonProgress.objects.get(lesson_key=lesson.translation_key)
    elapsed = (timezone.now() - started).total_seconds()
    # Never more than the time that passed between the first and the last sighting; the
    # parallel views counted the 160-second gap once, not six times.
    assert progress.time_spent_seconds <= elapsed
    assert 159 <= progress.time_spent_seconds <= 161
