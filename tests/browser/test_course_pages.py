"""The demo course in real Chromium: course page and a lesson in each language, the language
switch on a lesson, keyboard use of the accordion, and axe-core on every page visited."""

import re

import pytest

from courses.models import CoursePage, LessonPage
from demo.course import demo_course_load
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(site, page, live_server, make_user):
    """The demo course, and the browser signed in as a learner enrolled in it."""
    from django.conf import settings
    from django.test import Client

    from progress.services import enrolment_create

    course = demo_course_load()
    learner = make_user(email="browser@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return course


@pytest.mark.parametrize("language", ["sv", "en"])
def test_course_page_and_a_lesson_are_accessible(page, live_server, demo, language):
    course = CoursePage.objects.get(locale__language_code=language)
    page.goto(live_server.url + course.url)
    assert page.get_by_role("heading", level=1).inner_text() == course.title
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    start = "Börja kursen" if language == "sv" else "Start the course"
    page.get_by_role("link", name=re.compile(f"^{start}")).click()
    first = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    page.wait_for_url(live_server.url + first.url)
    assert page.get_by_role("heading", level=1).inner_text() == first.title
    assert_accessible(page)


def test_switching_language_on_a_lesson_stays_on_that_lesson(page, live_server, demo):
    swedish = LessonPage.objects.live().filter(locale__language_code="sv").order_by("path")[5]
    english = LessonPage.objects.get(
        translation_key=swedish.translation_key, locale__language_code="en"
    )
    page.goto(live_server.url + swedish.url)
    page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + english.url)
    assert page.get_by_role("heading", level=1).inner_text() == english.title
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url(live_server.url + swedish.url)


def test_a_lesson_works_by_keyboard_and_on_a_phone(page, live_server, demo):
    lesson = next(
        lesson
        for lesson in LessonPage.objects.live().filter(locale__language_code="sv").order_by("path")
        if any(block.block_type == "accordion" for block in lesson.body)
    )
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + lesson.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    summary = page.locator("details.accordion__item > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.accordion__item").first.get_attribute("open") is not None
    assert_accessible(page)
    next_link = page.locator("a[rel=next]")
    next_url = next_link.get_attribute("href")
    next_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + next_url)


def test_search_page_is_accessible(page, live_server, demo):
    page.goto(live_server.url + "/sv/sok/")
    page.get_by_label("Sök efter").fill("indikatorer")
    page.get_by_label("Sök efter").press("Enter")
    page.wait_for_url("**/sv/sok/?q=indikatorer")
    assert page.get_by_role("status").inner_text().endswith("för ”indikatorer”")
    assert_accessible(page)
