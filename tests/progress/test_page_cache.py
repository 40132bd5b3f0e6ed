"""Issue 17: the learner's page cache (progress.pagecache). A signed-in learner's pages are
served without rendering until something they show changes; a cached lesson still records
the visit exactly as a rendered one; each browser's forms keep working; a message is shown
once; nothing of one person reaches another; the person's own changes show at once."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from elearning.accounts.roles import MANAGERS
from progress.models import Enrolment, LessonProgress
from progress.pagecache import TIMEOUT, learner_changed
from progress.services import VIEW_STEP, enrolment_create
from tests.factories import course_tree

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def rendered(response) -> bool:
    """Whether the page was rendered for this request (not served from the cache)."""
    assert response.status_code == 200
    return bool(response.templates)


def seen(client, url) -> None:
    """Two views: a lesson's first starts it (the learner's state changes, so it is not
    kept); the second is rendered and kept."""
    for _ in range(2):
        assert client.get(url).status_code == 200


def lesson_done_url(lesson) -> str:
    return reverse("progress:lesson_done", kwargs={"page_id": lesson.pk})


def test_a_page_is_rendered_once_and_then_served_from_the_cache(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    assert rendered(client.get(lessons[0].url))  # started, and so not kept
    for url in (lessons[0].url, lessons[0].get_parent().url, course.url, "/sv/mina-kurser/"):
        first = client.get(url)
        assert rendered(first)
        again = client.get(url)
        assert not rendered(again), url
        assert again.content == first.content


def test_a_cached_lesson_counts_time_after_the_step_as_a_rendered_one(
    client, site, enrolled, clock
):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    user = enrolled(course)
    seen(client, lessons[0].url)
    assert not rendered(client.get(lessons[0].url))
    progress = LessonProgress.objects.get(enrolment__user=user)
    clock.shift(90)
    assert not rendered(client.get(lessons[0].url))
    progress.refresh_from_db()
    assert progress.time_spent_seconds == 90
    # Ten more views within the step, from the cache: not a second more.
    for _ in range(10):
        client.get(lessons[0].url)
    clock.shift(VIEW_STEP.total_seconds() - 1)
    client.get(lessons[0].url)
    progress.refresh_from_db()
    assert progress.time_spent_seconds == 90


def test_the_resume_point_follows_cached_lessons(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=3, revisions=False)
    user = enrolled(course)
    first, second = lessons[0], lessons[1]
    for lesson in (first, second, first, second):
        client.get(lesson.url)  # the first two rendered, the last two from the cache
    enrolment = Enrolment.objects.get(user=user)
    assert enrolment.last_lesson_key == second.translation_key
    client.get(first.url)
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_key == first.translation_key


def test_each_browser_of_a_learner_gets_a_token_its_own_cookie_accepts(site, make_user):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    user = make_user(email="tva-webblasare@example.org")
    enrolment_create(user=user, course=course)
    browsers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    for browser in browsers:
        browser.force_login(user)
        seen(browser, lessons[0].url)
    pages = [browser.get(lessons[0].url) for browser in browsers]  # both from the cache
    assert not any(rendered(page) for page in pages)
    tokens = [TOKEN.search(page.content.decode()).group(1) for page in pages]
    answer = browsers[1].post(lesson_done_url(lessons[0]), {"csrfmiddlewaretoken": tokens[1]})
    assert answer.status_code == 302  # accepted: not the 403 of a foreign token
    assert LessonProgress.objects.get(lesson_key=lessons[0].translation_key).completed_at


def test_a_message_is_shown_on_a_cached_page_once(client, site, make_user):
    course, _lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    client.force_login(make_user(email="inte-anmald@example.org"))
    client.get(course.url)
    assert not rendered(client.get(course.url))
    # Leaving a course one is not in changes nothing but says so on the course page.
    leave = client.post(reverse("progress:leave", kwargs={"page_id": course.pk}))
    assert leave.status_code == 302
    with_message = client.get(course.url).content.decode()
    assert "Du är inte anmäld till den här kursen." in with_message
    again = client.get(course.url)
    assert "Du är inte anmäld till den här kursen." not in again.content.decode()


def test_leaving_the_course_ends_the_cached_lessons_at_once(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    enrolled(course)
    seen(client, lessons[0].url)
    assert not rendered(client.get(lessons[0].url))
    client.post(reverse("progress:leave", kwargs={"page_id": course.pk}))
    answer = client.get(lessons[0].url)
    assert answer.status_code == 302 and answer["Location"] == course.url


def test_a_new_name_and_a_new_group_show_at_once(client, site, enrolled):
    course, _lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    user = enrolled(course)
    client.get(course.url)
    assert not rendered(client.get(course.url))
    user.first_name, user.last_name = "Ingrid", "Nyman"
    user.save()
    assert "Ingrid Nyman" in client.get(course.url).content.decode()
    user.groups.add(Group.objects.get(name=MANAGERS))
    assert ">Rapporter</a>" in client.get(course.url).content.decode()


def test_another_person_in_the_same_browser_never_gets_the_first_ones_page(site, make_user):
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    anna = make_user(email="anna@example.org", first_name="Anna", last_name="Ek")
    bo = make_user(email="bo@example.org", first_name="Bo", last_name="Ås")
    enrolment_create(user=anna, course=course)
    browser = Client()
    browser.force_login(anna)
    for _ in range(2):
        anna_page = browser.get(course.url).content.decode()
    assert "Anna Ek" in anna_page and "Lämna kursen" in anna_page
    browser.logout()
    browser.force_login(bo)
    bo_page = browser.get(course.url).content.decode()
    assert "Anna Ek" not in bo_page and "Bo Ås" in bo_page
    assert "Anmäl dig till kursen" in bo_page and "Lämna kursen" not in bo_page


def test_an_author_reading_a_lesson_without_enrolling_is_rendered_every_time(
    client, site, make_user
):
    course, lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    author = make_user(email="skribent@example.org", is_superuser=True, is_staff=True)
    client.force_login(author)
    for _ in range(2):
        assert rendered(client.get(lessons[0].url))
    assert not Enrolment.objects.filter(user=author).exists()


def test_a_query_string_is_rendered_and_never_cached(client, site, enrolled):
    course, _lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    enrolled(course)
    for _ in range(2):
        assert rendered(client.get(course.url + "?x=1"))


def test_the_certificate_shows_on_the_cached_course_page_as_the_worker_renders_it(
    client, site, enrolled
):
    from django.utils import timezone

    from certificates.models import Certificate

    course, _lessons = course_tree(modules=1, lessons_per_module=1, revisions=False)
    user = enrolled(course)
    enrolment = Enrolment.objects.get(user=user)
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    client.get(course.url)
    assert not rendered(client.get(course.url))
    certificate = Certificate.objects.create(
        enrolment=enrolment, issued_at=timezone.now(), language="sv", claim={}, key_id="k1",
        signature="s" * 86,
    )  # fmt: skip
    assert "Ditt intyg förbereds" in client.get(course.url).content.decode()
    assert not rendered(client.get(course.url))
    # The worker's save, from a query that did not load the enrolment.
    certificate = Certificate.objects.get(pk=certificate.pk)
    certificate.rendered_at = timezone.now()
    certificate.save(update_fields=["rendered_at"])
    page = client.get(course.url).content.decode()
    assert "Hämta ditt intyg (PDF)" in page and "Ditt intyg förbereds" not in page


def test_a_missed_change_lasts_at_most_the_entry_timeout(client, site, enrolled):
    """A change made behind the services' back (a raw UPDATE) is not seen until the entry
    expires, or the learner's version is replaced: the bound is short."""
    course, lessons = course_tree(modules=1, lessons_per_module=2, revisions=False)
    user = enrolled(course)
    client.get(lessons[0].url)
    seen(client, course.url)
    LessonProgress.objects.filter(enrolment__user=user).update(completed_at=timezone_now())
    assert "1 av 2 lektioner klara" not in client.get(course.url).content.decode()
    learner_changed(user.pk)
    assert "1 av 2 lektioner klara" in client.get(course.url).content.decode()
    assert TIMEOUT <= 10 * 60


def timezone_now():
    from django.utils import timezone

    return timezone.now()
