"""Issue 17: the learner's pages (lesson, module, course, catalogue, "Mina kurser") take few
queries, the same for a small and a big course, and their caches (routes, fragments, the
course tree, on the real Redis) never show a draft, another learner's progress or progress
older than the learner's last action."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.models import LessonPage
from tests.conftest import port_open, service_missing
from tests.factories import course_tree, lesson_body

pytestmark = pytest.mark.django_db

DASHBOARD = "/sv/mina-kurser/"
# A signed-in learner's page when it is rendered: session, user and the learner's own
# progress (up to three queries: enrolment, lessons done, modules done); never the course
# tree, the route or the menu's permissions (cached).
MAX_QUERIES = 5
# The same page from the learner's page cache (progress.pagecache): the session and the user,
# as for any signed-in view, and nothing else (a lesson seen within the step writes nothing).
CACHED_QUERIES = 2


@pytest.fixture(autouse=True)
def redis_cache(settings):
    """The production caches: Redis (the tests' database, under a key prefix of this test's
    own: nothing else there is touched) and each process's own fragment cache."""
    url = settings.TEST_REDIS_URL
    parts = urlsplit(url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        service_missing(f"Redis is not answering at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "elearning.core.cache.SharedClientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-learner-pages-{uuid.uuid4().hex}",
        },
        "template_fragments": {
            **settings.TEMPLATE_FRAGMENTS_CACHE,
            "LOCATION": f"test-fragments-{uuid.uuid4().hex}",
        },
    }


def learner_pages(course, lessons):
    return {
        "lesson": lessons[1].url,
        "module": lessons[1].get_parent().url,
        "course": course.url,
        "catalogue": course.get_parent().url,
        "dashboard": DASHBOARD,
    }


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def warm_counts(client, user, url) -> tuple[int, int]:
    """Queries of the page rendered (after a first request warmed the shared caches and
    started the lesson, and the learner's state changed since) and then served again."""
    from progress.pagecache import learner_changed

    assert client.get(url).status_code == 200
    learner_changed(user.pk)
    return query_count(client, url), query_count(client, url)


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (masked anew on every request)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("page", ["lesson", "module", "course", "catalogue", "dashboard"])
def test_a_learner_page_takes_few_queries_whatever_the_course_size(client, site, enrolled, page):
    small, small_lessons = course_tree(modules=1, lessons_per_module=2, slug="liten")
    user = enrolled(small)
    small_rendered, small_cached = warm_counts(
        client, user, learner_pages(small, small_lessons)[page]
    )
    big, big_lessons = course_tree(modules=3, lessons_per_module=6, slug="stor")
    enrolled(big)
    big_rendered, big_cached = warm_counts(client, user, learner_pages(big, big_lessons)[page])
    assert small_rendered == big_rendered
    assert big_rendered <= MAX_QUERIES
    assert small_cached == big_cached == CACHED_QUERIES


def test_a_saved_draft_never_reaches_learners_and_publishing_shows_at_once(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    lesson = LessonPage.objects.get(pk=lessons[0].pk)
    assert "Lektion 1.1: brödtext." in client.get(lesson.url).content.decode()  # now cached

    lesson.title = "Rubrik i utkast"
    lesson.body = lesson_body("Text i utkast")
    revision = lesson.save_revision()  # a draft of the live page
    for url in (lesson.url, course.url, lesson.get_parent().url, DASHBOARD):
        body = client.get(url).content.decode()
        assert "Text i utkast" not in body and "Rubrik i utkast" not in body
    assert "Lektion 1.1: brödtext." in client.get(lesson.url).content.decode()

    revision.publish()
    body = client.get(lesson.url).content.decode()
    assert "<h1>Rubrik i utkast</h1>" in body and "Text i utkast: brödtext." in body
    assert "Lektion 1.1: brödtext." not in body
    assert "Rubrik i utkast" in client.get(course.url).content.decode()


def test_an_unpublished_lesson_is_gone_at_once_despite_the_cached_route(client, site, enrolled):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    enrolled(course)
    url = lessons[1].url
    assert client.get(url).status_code == 200  # route and page cached
    LessonPage.objects.get(pk=lessons[1].pk).unpublish()
    assert client.get(url).status_code == 404
    assert "Lektion 1.2" not in client.get(course.url).content.decode()


def test_one_learners_progress_never_shows_on_anothers_pages(site, make_user):
    from progress.services import enrolment_create

    course, lessons = course_tree(modules=1, lessons_per_module=3)
    clients = {}
    for name in ("anna", "bo"):
        user = make_user(email=f"{name}@example.org")
        enrolment_create(user=user, course=course)
        clients[name] = Client()
        clients[name].force_login(user)
    urls = [lessons[0].url, lessons[1].url, course.url, DASHBOARD]
    for url in urls:
        clients["anna"].get(url)
    before = {url: without_tokens(clients["bo"].get(url).content.decode()) for url in urls}

    done = clients["anna"].post(f"/sv/framsteg/lektion/{lessons[0].pk}/klar/")
    assert done.status_code == 302
    anna_course = clients["anna"].get(course.url).content.decode()
    assert "1 av 3 lektioner klara" in anna_course
    for url in urls:
        assert without_tokens(clients["bo"].get(url).content.decode()) == before[url], url
    assert "0 av 3 lektioner klara" in clients["bo"].get(course.url).content.decode()


def test_completing_a_lesson_shows_at_once_on_the_learners_pages(client, site, enrolled):
    course, lessons = course_tree(modules=2, lessons_per_module=2)
    enrolled(course)
    for url in (lessons[0].url, course.url, DASHBOARD):
        client.get(url)  # everything cached that can be
    assert "0 av 4 lektioner klara" in client.get(course.url).content.decode()

    client.post(f"/sv/framsteg/lektion/{lessons[0].pk}/klar/")
    course_body = client.get(course.url).content.decode()
    assert "1 av 4 lektioner klara" in course_body
    assert 'Lektion 1.1</a> <span class="meta">(5 min)</span> <span class="done-mark">Klar' in (
        course_body
    )
    assert "1 av 4 lektioner klara" in client.get(DASHBOARD).content.decode()
    assert "Du har markerat lektionen som klar." in client.get(lessons[0].url).content.decode()
    # The resume point moved with the completion: "continue" leads to the next lesson.
    assert f'<a class="button" href="{lessons[1].url}">Fortsätt där du slutade' in course_body


def test_the_menu_follows_a_change_of_permissions_at_once(client, site, enrolled):
    from django.contrib.auth.models import Group

    from elearning.accounts.roles import MANAGERS

    course, _lessons = course_tree(modules=1, lessons_per_module=1)
    user = enrolled(course)
    assert ">Rapporter</a>" not in client.get(course.url).content.decode()  # menu cached
    user.groups.add(Group.objects.get(name=MANAGERS))
    assert ">Rapporter</a>" in client.get(course.url).content.decode()
    user.groups.clear()
    assert ">Rapporter</a>" not in client.get(course.url).content.decode()
