"""Lesson, module and course completion: once, atomically, keyed on translation_key."""

from datetime import timedelta

import pytest
from django.db import connection

from courses.models import LessonPage, ModulePage
from progress.models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion
from progress.services import ProgressError, enrolment_create, lesson_complete, lesson_view
from tests.conftest import at_once
from tests.factories import course_tree, lesson_body

pytestmark = pytest.mark.django_db


def done_url(lesson):
    return f"/sv/framsteg/lektion/{lesson.pk}/klar/"


def events(kind):
    return LearningEvent.objects.filter(kind=kind).count()


def test_marking_done_moves_on_and_a_double_click_counts_once(client, enrolled, site):
    course, lessons = course_tree(modules=2, lessons_per_module=2)
    enrolled(course)
    client.get(lessons[1].url)
    response = client.post(done_url(lessons[1]))
    assert response["Location"] == lessons[2].url  # across the module boundary
    client.post(done_url(lessons[1]))
    assert LessonProgress.objects.get(lesson_key=lessons[1].translation_key).completed_at
    assert events("lesson_completed") == 1
    body = client.get(lessons[1].url).content.decode()
    assert "Du har markerat lektionen som klar." in body


def test_finishing_every_lesson_completes_modules_and_the_course_once(client, enrolled, site):
    course, lessons = course_tree(modules=2, lessons_per_module=2)
    user = enrolled(course)
    for lesson in lessons[:-1]:
        client.post(done_url(lesson))
    assert events("module_completed") == 1
    assert Enrolment.objects.get(user=user).completed_at is None
    response = client.post(done_url(lessons[-1]), follow=True)
    assert "Grattis! Du har slutfört kursen." in response.content.decode()
    enrolment = Enrolment.objects.get(user=user)
    assert enrolment.completed_at is not None
    assert set(enrolment.completion_rule["required_modules"]) == {
        str(m.translation_key) for m in ModulePage.objects.child_of(course)
    }
    client.post(done_url(lessons[-1]))
    assert (events("module_completed"), events("course_completed")) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_complete_once(make_user, site):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    user = make_user()
    enrolment_create(user=user, course=course)
    at_once(lambda: lesson_complete(user=user, lesson=LessonPage.objects.get(pk=lessons[0].pk)))
    assert (events("lesson_completed"), events("module_completed"), events("course_completed")) == (
        1,
        1,
        1,
    )
    assert ModuleCompletion.objects.count() == 1


def test_no_marking_in_a_course_one_is_not_enrolled_in(client, make_user, site):
    course, lessons = course_tree()
    other, other_lessons = course_tree(slug="annan")
    user = make_user()
    enrolment_create(user=user, course=course)
    client.force_login(user)
    response = client.post(done_url(other_lessons[0]), follow=True)
    assert "Du är inte anmäld till den här kursen." in response.content.decode()
    with pytest.raises(ProgressError):
        lesson_complete(user=user, lesson=other_lessons[0])
    assert not LessonProgress.objects.exists()
    # Someone else's progress: the action only ever uses the signed-in learner.
    someone = make_user(email="someone@example.org")
    enrolment_create(user=someone, course=other)
    client.post(done_url(other_lessons[0]))
    assert not LessonProgress.objects.filter(enrolment__user=someone).exists()


def test_adding_a_lesson_after_completion_keeps_the_completion(client, enrolled, site):
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    user = enrolled(course)
    client.post(done_url(lessons[0]))
    completed_at = Enrolment.objects.get(user=user).completed_at
    module = ModulePage.objects.child_of(course).get()
    new = LessonPage(title="Ny lektion", slug="ny", body=lesson_body())
    module.add_child(instance=new)
    new.save_revision().publish()
    client.post(done_url(LessonPage.objects.get(slug="kurs-lektion-1-1")))
    assert Enrolment.objects.get(user=user).completed_at == completed_at
    assert "1 av 2 lektioner klara" in client.get(course.url).content.decode()


def test_the_rule_in_force_at_completion_is_kept(client, enrolled, site):
    course, lessons = course_tree(modules=2, lessons_per_module=1)
    user = enrolled(course)
    second = ModulePage.objects.child_of(course).order_by("path").last()
    second.required_for_completion = False
    second.save_revision().publish()
    client.post(done_url(lessons[0]))  # the only required module is done
    enrolment = Enrolment.objects.get(user=user)
    assert enrolment.completed_at is not None
    assert enrolment.completion_rule["required_modules"] == [
        str(ModulePage.objects.child_of(course).order_by("path").first().translation_key)
    ]
    second.required_for_completion = True
    second.save_revision().publish()
    assert Enrolment.objects.get(user=user).completion_rule == enrolment.completion_rule


def test_switching_language_keeps_progress(client, enrolled, site):
    from demo.course import demo_course_load

    course = demo_course_load()
    enrolled(course)
    swedish = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    english = LessonPage.objects.get(
        translation_key=swedish.translation_key, locale__language_code="en"
    )
    client.post(done_url(swedish))
    body = client.get(english.url).content.decode()
    assert "You have marked this lesson as done." in body
    english_course = course.get_translation(english.locale)
    assert "1 of 18 lessons done" in client.get(english_course.url).content.decode()
    assert Enrolment.objects.count() == 1


def test_deleting_a_lesson_keeps_the_history(client, enrolled, site):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    client.post(done_url(lessons[0]))
    LessonPage.objects.get(pk=lessons[0].pk).delete()
    progress = LessonProgress.objects.get()
    assert progress.lesson is None and progress.completed_at
    assert LearningEvent.objects.filter(
        kind="lesson_completed", object_key=lessons[0].translation_key
    ).exists()


def test_time_spent_is_measured_by_the_server_and_capped(enrolled, site):
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    user = enrolled(course)
    lesson = lessons[0]
    lesson_view(user=user, lesson=lesson)
    progress = LessonProgress.objects.get()
    # The learner went to lunch for three hours before pressing "done".
    LessonProgress.objects.filter(pk=progress.pk).update(
        last_seen_at=progress.last_seen_at - timedelta(hours=3)
    )
    lesson_complete(user=user, lesson=lesson)
    progress.refresh_from_db()
    assert progress.time_spent_seconds == 10 * 60  # the cap, not three hours
    assert LearningEvent.objects.get(kind="lesson_completed").details == {"duration_seconds": 600}


def test_a_client_cannot_send_time_or_completion_fields(client, enrolled, site):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    client.post(done_url(lessons[0]), {"time_spent_seconds": 999999, "completed": "course"})
    progress = LessonProgress.objects.get()
    assert progress.time_spent_seconds < 60
    assert Enrolment.objects.get().completed_at is None
