"""The Content-Security-Policy in real Chromium: public pages and the Wagtail admin's page
editor load with no violation reported (securitypolicyviolation events and console errors),
and the editor still edits and publishes a page."""

import pytest

from courses.models import LessonPage
from tests.browser.axe import assert_accessible
from tests.factories import course_tree

pytestmark = pytest.mark.browser

# Installed before any page script runs: every violation the browser reports is kept.
VIOLATION_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
        `at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(VIOLATION_RECORDER)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )

    def violations():
        return page.evaluate("window.__cspViolations || []") + console

    return violations


def sign_in(page, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_public_pages_run_under_the_policy_without_violations(
    page, live_server, site, make_user, watched
):
    course, lessons = course_tree(modules=1, lessons_per_module=2, slug="csp")
    for path in ("/sv/", "/en/", "/sv/kurser/", course.url, "/sv/sok/?q=kurs", "/sv/finns-inte/"):
        response = page.goto(live_server.url + path)
        assert "script-src 'none'" in response.headers["content-security-policy"]
        assert watched() == [], path
    sign_in(page, live_server, make_user(email="csp@example.org"))
    page.goto(live_server.url + course.url)
    page.locator("form[action$='/anmal/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.goto(live_server.url + lessons[0].url)
    assert_accessible(page)  # axe-core still runs: injected through the debugging protocol
    assert watched() == []


def test_the_admin_page_editor_works_under_its_policy(page, live_server, site, make_user, watched):
    _course, lessons = course_tree(modules=1, lessons_per_module=1, slug="csp-admin")
    lesson = lessons[0]
    sign_in(page, live_server, make_user(email="csp-admin@example.org", is_superuser=True))
    response = page.goto(live_server.url + "/admin/")
    assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    page.goto(live_server.url + f"/admin/pages/{lesson.pk}/edit/")
    reported = watched()
    assert reported == [], "\n".join(reported)
    title = page.locator("#id_title")
    title.wait_for()
    # The editor's scripts ran: the StreamField and the rich-text editor are drawn by them.
    page.locator("[data-streamfield-stream-container], .w-block-list").first.wait_for()
    page.locator(".Draftail-Editor").first.wait_for()
    title.fill("Lektion med ny rubrik")
    page.locator("button.action-save").first.click()
    page.wait_for_load_state("load")
    page.locator(".messages .success, .w-messages .success, [data-w-messages]").first.wait_for()
    revision = LessonPage.objects.get(pk=lesson.pk).get_latest_revision()
    assert revision.content["title"] == "Lektion med ny rubrik"
    # The preview (the page under the admin's policy, in the admin's frame).
    page.goto(live_server.url + f"/admin/pages/{lesson.pk}/edit/preview/")
    reported = watched()
    assert reported == [], "\n".join(reported)
