"""What a learner sees of a course: only published content (also from the fragment cache),
a fixed number of queries however big the course, and the same lesson in both languages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import LessonPage
from courses.tasks import pages_publish_scheduled
from tests.factories import course_tree, lesson_body

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_course_page_lists_modules_lessons_and_times(client, site, enrolled):
    course, lessons = course_tree(modules=2, lessons_per_module=2)
    body = client.get(course.url).content.decode()
    assert "<h1>Kurs kurs</h1>" in body
    assert "Modul 1" in body and "Modul 2" in body
    assert body.count("(5 min)") == 4
    assert "Cirka 20 minuter" in body  # the sum of the lessons' estimates
    assert ">Anmäl dig till kursen</button>" in body  # signed in, not yet enrolled
    visitor = Client().get(course.url).content.decode()
    assert "Logga in för att gå kursen" in visitor
    enrolled(course)
    body = client.get(course.url).content.decode()
    assert f'<a class="button" href="{lessons[0].url}">Börja kursen' in body


def test_lesson_has_outline_neighbours_and_sources(client, site, enrolled):
    course, lessons = course_tree(modules=2, lessons_per_module=2)
    enrolled(course)
    body = client.get(lessons[1].url).content.decode()
    assert f'href="{lessons[0].url}" rel="prev"' in body
    assert f'href="{lessons[2].url}" rel="next"' in body  # across the module boundary
    assert f'<a href="{lessons[1].url}" aria-current="page">Lektion 1.2</a>' in body
    assert '<h2 id="sources-title">Källor</h2>' in body
    assert "<cite>Lokalt och regionalt folkhälsoarbete</cite>. Folkhälsomyndigheten." in body


@pytest.mark.parametrize("path", ["course", "lesson"])
def test_query_count_does_not_grow_with_the_course(client, site, enrolled, path):
    small, small_lessons = course_tree(modules=1, lessons_per_module=3, slug="liten")
    big, big_lessons = course_tree(modules=3, lessons_per_module=10, slug="stor")
    enrolled(small)
    enrolled(big)
    if path == "course":
        urls = (small.url, big.url)
    else:
        urls = (small_lessons[1].url, big_lessons[15].url)
    for url in urls:  # warm Wagtail's site-root cache the same way for both
        client.get(url)
    assert queries(client, urls[0]) == queries(client, urls[1])


def test_a_draft_lesson_never_reaches_a_learner(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    draft = LessonPage(title="Hemligt utkast", slug="utkast", body=lesson_body(), live=False)
    lessons[0].get_parent().add_child(instance=draft)
    draft.save_revision()
    assert client.get(draft.url or "/sv/kurser/kurs/kurs-modul-1/utkast/").status_code == 404
    for url in (course.url, lessons[0].url, lessons[0].get_parent().url):
        assert "Hemligt utkast" not in client.get(url).content.decode()


def test_a_draft_edit_is_not_shown_and_publishing_refreshes_the_cached_outline(
    client, site, enrolled
):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    first, second = (LessonPage.objects.get(pk=lesson.pk) for lesson in lessons)
    assert "Lektion 1.2" in client.get(first.url).content.decode()  # outline now cached

    second.title = "Nytt namn i utkast"
    second.save_revision()  # a draft revision of a live page
    for url in (first.url, second.url, course.url):
        assert "Nytt namn i utkast" not in client.get(url).content.decode()

    second.get_latest_revision().publish()
    assert "Nytt namn i utkast" in client.get(first.url).content.decode()

    LessonPage.objects.get(pk=second.pk).unpublish()
    body = client.get(first.url).content.decode()
    assert "Nytt namn i utkast" not in body
    assert 'rel="next"' not in body


def test_a_preview_does_not_leak_into_the_cache(client, site, make_user, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    learner = enrolled(course)
    second = LessonPage.objects.get(pk=lessons[1].pk)
    second.title = "Förhandsvisat utkast"
    second.save_revision()
    admin = make_user(email="admin@example.org", is_superuser=True)
    client.force_login(admin)
    preview = client.get(f"/admin/pages/{second.pk}/edit/preview/")
    assert preview.status_code == 200
    client.force_login(learner)
    assert "Förhandsvisat utkast" not in client.get(lessons[0].url).content.decode()


def test_language_switch_on_a_lesson_leads_to_its_translation(client, site, enrolled):
    from demo.course import demo_course_load

    enrolled(demo_course_load())
    swedish = LessonPage.objects.live().filter(locale__language_code="sv").order_by("path")[3]
    english = LessonPage.objects.get(
        translation_key=swedish.translation_key, locale__language_code="en"
    )
    body = client.get(swedish.url).content.decode()
    assert f'<a href="{english.url}" lang="en" hreflang="en">English</a>' in body
    english_body = client.get(english.url).content.decode()
    assert '<html lang="en">' in english_body
    assert f"<h1>{english.title}</h1>" in english_body


def test_catalogue_filters_by_audience(client, site):
    course_tree(slug="for-strateger")  # audiences: official
    for_elected, _ = course_tree(slug="for-politiker")
    for_elected.audiences = ["elected"]
    for_elected.save_revision().publish()
    body = client.get("/sv/kurser/?audience=elected").content.decode()
    assert "Kurs for-politiker" in body and "Kurs for-strateger" not in body
    body = client.get("/sv/kurser/?audience=official").content.decode()
    assert "Kurs for-strateger" in body and "Kurs for-politiker" not in body
    # An unknown value is ignored: everything is shown.
    body = client.get("/sv/kurser/?audience=<script>").content.decode()
    assert "Kurs for-strateger" in body and "Kurs for-politiker" in body
    assert "<script>" not in body


def test_search_finds_lessons_in_the_pages_language(client, site):
    from demo.course import demo_course_load

    demo_course_load()
    swedish = client.get("/sv/sok/", {"q": "länsstyrelserna"}).content.decode()
    assert "Länsstyrelserna och det regionala genomförandet" in swedish
    assert "County administrative boards" not in swedish
    english = client.get("/en/search/", {"q": "county administrative boards"}).content.decode()
    assert '<html lang="en">' in english
    assert "regionala genomförandet" not in english


def test_search_refuses_an_overlong_query(client, site):
    response = client.get("/sv/sok/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "Din sökning är för lång. Använd högst 200 tecken." in response.content.decode()


def test_scheduled_publishing_runs_from_the_periodic_task(site):
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    lesson = LessonPage(title="Planerad", slug="planerad", body=lesson_body(), live=False)
    lessons[0].get_parent().add_child(instance=lesson)
    revision = lesson.save_revision(approved_go_live_at=timezone.now() - timedelta(minutes=1))
    pages_publish_scheduled()
    lesson.refresh_from_db()
    assert lesson.live
    assert lesson.live_revision == revision


def test_the_demo_quizzes_are_placed_in_both_languages(client, site):
    from courses.models import ModulePage, QuizPage
    from demo.course import demo_course_load, demo_quizzes_load

    course = demo_course_load()
    assert demo_quizzes_load(course) == 6
    assert demo_quizzes_load(course) == 0  # idempotent
    for module in ModulePage.objects.child_of(course):
        swedish = QuizPage.objects.child_of(module).get()
        english = QuizPage.objects.get(
            translation_key=swedish.translation_key, locale__language_code="en"
        )
        assert swedish.quiz.locale.language_code == "sv"
        assert english.quiz.translation_key == swedish.quiz.translation_key
        assert [b.block_type for b in swedish.quiz.questions] == [
            b.block_type for b in english.quiz.questions
        ]
        assert swedish.quiz.questions[-1].block_type == "reflection"
    final = QuizPage.objects.child_of(course).get()
    assert (final.quiz.draw_count, len(final.quiz.questions)) == (10, 14)
    kinds = {b.block_type for q in QuizPage.objects.all() for b in q.quiz.questions}
    assert kinds == {
        "single_choice", "multiple_response", "true_false", "ordering", "matching", "reflection",
    }  # fmt: skip
