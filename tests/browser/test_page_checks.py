"""Every page type a visitor, a learner, an author reading the site and a manager sees, in
Swedish and English, checked in one Chromium session at 320 CSS px (issue 14): no sideways
scrolling and nothing wider than the viewport but inside labelled scroll regions (WCAG
1.4.10), the page's language and the language of its parts (3.1.1, 3.1.2), axe-core, and
then the Nu HTML Checker over all of them in one run. Screenshots of a lesson, a quiz attempt
and a report at 320 px (and 1280 px) go to var/screenshots/ for people to look at.

To check more pages (another branch's statement or privacy page), add their paths to
``EXTRA_PAGES``: (who, path, {text: language}).
"""

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from courses.models import ModulePage
from elearning.accounts import roles
from progress.services import enrolment_create
from quizzes import services as quiz_services
from tests.browser.axe import assert_accessible
from tests.browser.checks import (
    HTML_DIR,
    PUBLIC_PAGES,
    SCREENSHOTS,
    language_problems,
    reflow_problems,
    vnu_errors,
)
from tests.browser.test_reports import REPORTS, demo_manager_with_learners
from tests.factories import course_tree, every_question, quiz_in

pytestmark = pytest.mark.browser

PUBLIC = [
    *PUBLIC_PAGES,
    "/sv/sok/?q=folkhälsa",
    "/en/search/?q=health",
    "/en/not-here/",
]
# (who: "visitor" | "learner" | "author" | "manager", path, {text: language it must be in})
EXTRA_PAGES: list[tuple[str, str, dict[str, str]]] = []

LONG_MATCH = (
    "Samordnar det regionala folkhälsoarbetet mellan kommuner, region och civilsamhälle i "
    "hela länet och följer upp det"
)
ENGLISH_QUESTION = {
    "type": "true_false",
    "value": {
        "text": "Public-health policy concerns most sectors of society.",
        "points": 1,
        "correct": True,
        "feedback_true": "Right.",
        "feedback_false": "Wrong.",
        "explanation": "",
        "tag": "",
    },
}


def _lesson_body(language: str) -> str:
    """Every titled block, a heading before them, a Swedish term and a Swedish source in the
    English lesson."""
    term = '<span lang="sv">Nära vård</span>' if language == "en" else "Nära vård"
    return json.dumps(
        [
            {"type": "paragraph", "value": f"<p>{term} – text.</p>"},
            {"type": "heading", "value": {"text": "Avsnitt", "level": "h2"}},
            {
                "type": "fact_box",
                "value": {"title": "Visste du?", "body": "<p>2048.</p>", "kind": "fact"},
            },
            {
                "type": "accordion",
                "value": {
                    "title": "Aktörerna",
                    "items": [{"heading": "Kommuner", "body": "<p>Välfärd.</p>"}],
                },
            },
            {"type": "reflection", "value": {"question": "Vad betyder det?", "hint": ""}},
            {
                "type": "source",
                "value": {
                    "title": "Lokalt och regionalt folkhälsoarbete",
                    "publisher": "Folkhälsomyndigheten",
                    "date": None,
                    "url": "https://www.folkhalsomyndigheten.se/",
                    "language": "sv",
                },
            },
        ]
    )


def _course(language: str, slug: str):
    course, lessons = course_tree(modules=1, lessons_per_module=1, slug=slug, language=language)
    lesson = lessons[0]
    lesson.body = _lesson_body(language)
    lesson.save_revision().publish()
    return (
        course,
        ModulePage.objects.child_of(course).get(),
        lesson.specific_class.objects.get(pk=lesson.pk),
    )


def _context(browser, live_server, user=None):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def test_every_page_type_reflows_marks_its_languages_and_is_valid_html(
    browser, live_server, site, make_user, settings
):
    from elearning.organisations.models import County
    from tests.packages.conftest import H5P, SCORM12_MULTI, SCORM2004, package_lesson

    settings.PACKAGES_ORIGIN = live_server.url.replace("localhost", "127.0.0.1")

    # A Swedish course with a timed quiz (a long matching answer) and an untimed one, an
    # English course with its own quiz; a learner in both, an author, the demo manager.
    sv_course, sv_module, sv_lesson = _course("sv", "kontrollkurs")
    questions = every_question()
    questions[4]["value"]["pairs"][1]["match"] = LONG_MATCH
    _, timed_page = quiz_in(sv_module, questions=questions, time_limit_minutes=20)
    _, untimed_page = quiz_in(sv_module, slug="quiz-2")
    en_course, en_module, en_lesson = _course("en", "check-course")
    _, en_quiz_page = quiz_in(en_module, questions=[ENGLISH_QUESTION], slug="quiz-en")
    # Issue 18: the wrapper pages of SCORM and H5P lessons; the Swedish lessons play English
    # packages, whose parts' titles are marked as English.
    sv_scorm = package_lesson(sv_module, SCORM12_MULTI, slug="paket-12", title="Golf i delar")
    sv_h5p = package_lesson(sv_module, H5P, slug="paket-h5p", title="En fråga i H5P")
    for lesson in (sv_scorm, sv_h5p):
        lesson.content_language = "en"
        lesson.save_revision().publish()
    en_scorm = package_lesson(en_module, SCORM2004, slug="package-2004", title="Golf in 2004")
    en_h5p = package_lesson(en_module, H5P, slug="package-h5p", title="A question in H5P")
    learner = make_user(email="kontroll@example.org")
    for course in (sv_course, en_course):
        enrolment_create(user=learner, course=course)
    timed = quiz_services.attempt_start(user=learner, placement=timed_page)
    done = quiz_services.attempt_start(user=learner, placement=untimed_page)
    quiz_services.attempt_submit(user=learner, attempt_id=done.pk, data=_empty())
    en_open = quiz_services.attempt_start(user=learner, placement=en_quiz_page)
    author = make_user(email="forfattare-kontroll@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    demo_manager_with_learners()
    from elearning.accounts.models import User

    manager = User.objects.get(email="samordnare@example.org")
    skane = County.objects.get(code="12").pk

    swedish_quiz = {"Vilket år ska folkhälsomålet nås?": "sv", "Sant": "sv"}
    pages = [("visitor", path, {}) for path in PUBLIC] + [
        ("learner", sv_course.url, {}),
        ("learner", en_course.url, {}),
        ("learner", sv_module.url, {}),
        ("learner", en_module.url, {}),
        ("learner", sv_lesson.url, {"Lokalt och regionalt folkhälsoarbete": "sv"}),
        (
            "learner",
            en_lesson.url,
            {"Nära vård": "sv", "Lokalt och regionalt folkhälsoarbete": "sv", "Avsnitt": "en"},
        ),
        ("learner", timed_page.url, {}),
        ("learner", en_quiz_page.url, {}),
        ("learner", f"/sv/quiz/forsok/{timed.pk}/", {LONG_MATCH: "sv", **swedish_quiz}),
        ("learner", f"/en/quiz/attempt/{timed.pk}/", {LONG_MATCH: "sv", **swedish_quiz}),
        ("learner", f"/en/quiz/attempt/{en_open.pk}/", {ENGLISH_QUESTION["value"]["text"]: "en"}),
        ("learner", f"/sv/quiz/forsok/{done.pk}/resultat/", {}),
        ("learner", f"/en/quiz/attempt/{done.pk}/result/", {"Para ihop aktör och roll.": "sv"}),
        ("learner", sv_scorm.url, {"How to Play": "en", "Delar av lektionen": "sv"}),
        ("learner", sv_h5p.url, {"En fråga i H5P": "sv"}),
        ("learner", en_scorm.url, {"Golf in 2004": "en"}),
        ("learner", en_h5p.url, {}),
        ("learner", "/sv/mina-kurser/", {}),
        ("learner", "/en/my-courses/", {}),
        ("learner", "/sv/konto/mina-uppgifter/", {}),
        ("learner", "/en/account/my-data/", {}),
        ("learner", "/sv/konto/radera/", {}),
        ("learner", "/en/account/delete/", {}),
        ("author", sv_course.url, {}),
        ("author", sv_lesson.url, {}),
        ("author", en_lesson.url, {"Nära vård": "sv"}),
        ("manager", "/sv/quiz/tidsanpassningar/", {}),
        ("manager", "/en/quiz/time-accommodations/", {}),
        ("manager", "/sv/intyg/hamta/", {}),
        ("manager", "/en/certificates/download/", {}),
        *[("manager", f"/{language}{path}?county={skane}", {}) for language, path in _reports()],
        *EXTRA_PAGES,
    ]
    # axe-core already runs on these in test_accessibility, test_course_pages, test_quiz
    # and test_reports: here only on the others (time: axe is most of this test's).
    AXE_ELSEWHERE = {("visitor", path) for path in PUBLIC if "sok" not in path} | {
        ("learner", sv_course.url),
        ("learner", en_course.url),
        ("learner", sv_lesson.url),
        ("learner", timed_page.url),
        ("learner", en_quiz_page.url),
        ("learner", f"/sv/quiz/forsok/{done.pk}/resultat/"),
        # The same wrapper template as the package course's pages in test_accessibility.
        *(("learner", lesson.url) for lesson in (sv_scorm, sv_h5p, en_scorm, en_h5p)),
        ("manager", "/sv/intyg/hamta/"),
        ("manager", "/en/certificates/download/"),
        *(("manager", f"/{language}{path}?county={skane}") for language, path in _reports()),
    }
    users = {"visitor": None, "learner": learner, "author": author, "manager": manager}
    contexts = {who: _context(browser, live_server, user) for who, user in users.items()}
    tabs = {who: context.new_page() for who, context in contexts.items()}
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in HTML_DIR.glob("*.html"):
        old.unlink()
    shots = {
        ("learner", sv_lesson.url): "lesson",
        ("learner", f"/sv/quiz/forsok/{timed.pk}/"): "quiz-attempt",
        ("manager", f"/sv/rapporter/?county={skane}"): "report",
    }
    problems, saved = [], []
    for number, (who, path, parts) in enumerate(pages):
        tab = tabs[who]
        response = tab.goto(live_server.url + path)
        assert response.status in (200, 404), f"{who} {path}: {response.status}"
        language = path[1:3]
        if tab.locator("html").get_attribute("lang") != language:
            problems.append(f"{who} {path}: <html lang> is not {language}")
        problems += [f"{who} {path} at 320 px: {p}" for p in reflow_problems(tab)]
        problems += [f"{who} {path}: {p}" for p in language_problems(tab, parts)]
        if (who, path) not in AXE_ELSEWHERE:
            assert_accessible(tab)
        if (who, path) in shots:
            shot = shots[who, path]
            tab.screenshot(path=SCREENSHOTS / f"{shot}-320.png", full_page=True)
            tab.set_viewport_size({"width": 1280, "height": 900})
            tab.screenshot(path=SCREENSHOTS / f"{shot}-1280.png", full_page=True)
            tab.set_viewport_size({"width": 320, "height": 800})
        # The server's HTML as sent (not the DOM after scripts), for the Nu HTML Checker.
        html = response.text()
        name = re.sub(r"[^a-z0-9]+", "-", f"{who}{path}".lower()).strip("-")
        file = HTML_DIR / f"{number:02d}-{name}.html"
        file.write_text(html, encoding="utf-8")
        saved.append(file)
    for context in contexts.values():
        context.close()
    assert not problems, "\n".join(problems)
    errors = vnu_errors(saved)
    assert not errors, "The Nu HTML Checker found:\n" + "\n".join(errors)


def _empty():
    from django.http import QueryDict

    return QueryDict("")


def _reports() -> list[tuple[str, str]]:
    """(language, path without the language prefix) of every report."""
    from django.urls import reverse
    from django.utils import translation

    paths = []
    for language in ("sv", "en"):
        with translation.override(language):
            paths += [(language, reverse(f"reports:{name}")[3:]) for name in REPORTS]
    return paths
