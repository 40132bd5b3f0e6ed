"""Real Chromium: axe-core on every skeleton page in both languages, keyboard use, the
language switch and the sign-up form as a person uses them."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible, tab_to
from tests.browser.checks import PUBLIC_PAGES

pytestmark = pytest.mark.browser

PAGES = [
    *PUBLIC_PAGES,
    # Issue 16: "Logga in via din organisation".
    "/sv/konto/organisation/",
    "/en/account/organisation/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations(page, live_server, site, path):
    response = page.goto(live_server.url + path)
    assert response.status == (404 if "finns-inte" in path else 200)
    assert page.locator("html").get_attribute("lang") == path[1:3]
    assert_accessible(page)


@pytest.mark.parametrize("width", [320, 1280])
def test_form_with_errors_is_accessible_and_fits_the_screen(page, live_server, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/sv/konto/registrera/")
    page.get_by_role("button", name="Skapa konto").click()
    assert page.get_by_role("alert").is_visible()
    assert page.title().startswith("Fel:")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(page, live_server, site):
    page.goto(live_server.url + "/sv/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), style: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), top: e.getBoundingClientRect().top}; }"
    )
    assert focused["text"] == "Hoppa till huvudinnehållet"
    assert focused["style"] != "none" and focused["width"] >= 2
    assert focused["top"] >= 0  # shown on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_keeps_the_same_page(page, live_server, site):
    page.goto(live_server.url + "/sv/kurser/")
    page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()
    page.wait_for_url("**/en/courses/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Courses"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url("**/sv/kurser/")


def test_sign_up_by_keyboard_with_a_mistake_then_right(page, live_server, site, mail_in_process):
    from elearning.accounts.models import User

    page.goto(live_server.url + "/en/account/register/")
    page.get_by_label("First name").fill("Maja")
    page.get_by_label("Last name").fill("Politiker")
    page.get_by_label("E-mail address").fill("maja@")
    page.get_by_label("Organisation").select_option(label="Region Gotland")
    page.get_by_label("Your role").select_option(label="Elected official")
    page.locator("#id_preferred_language").select_option("sv")
    page.locator("#id_password1").fill("Jämlik-hälsa-2048")
    page.get_by_label("Password confirmation").fill("Jämlik-hälsa-2048")
    page.get_by_label("Password confirmation").press("Enter")
    alert = page.get_by_role("alert")
    assert "Enter a valid e-mail address" in alert.inner_text()
    assert not User.objects.exists()
    email = page.get_by_label("E-mail address")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_email_errors" in email.get_attribute("aria-describedby")

    email.fill("maja@gotland.se")
    page.locator("#id_password1").fill("Jämlik-hälsa-2048")
    page.get_by_label("Password confirmation").fill("Jämlik-hälsa-2048")
    page.get_by_label("Password confirmation").press("Enter")
    page.wait_for_url(live_server.url + "/en/account/e-mail/confirm/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"
    assert_accessible(page)
    # The link in the mail (in Swedish, the language chosen in the form), by keyboard.
    [message] = mail_in_process
    link = next(word for word in message.body.split() if "/sv/konto/e-post/bekrafta/" in word)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Bekräfta").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/sv/")  # the preferred language chosen in the form
    assert page.get_by_text("Maja Politiker").is_visible()
    user = User.objects.get()
    assert (user.organisation.name, user.role_category) == ("Region Gotland", "elected")


def test_the_demo_courses_new_module_and_glossary_are_accessible(
    page, live_server, site, make_user, settings
):
    """Issue 15: the module "Från politik till budget och uppföljning", its lessons and quiz
    page, and the glossary lesson, signed in as an enrolled learner; axe-core on each, the
    Swedish names in the English text marked with their language, one lesson at 320 px.
    Issue 18: the package course's SCORM 2004, SCORM 1.2 and H5P lesson pages (the wrapper
    around the package) the same way, and one of them by keyboard."""
    from django.test import Client

    from courses.models import LessonPage, ModulePage, QuizPage
    from demo.course import demo_course_load, demo_quizzes_load
    from demo.packages import demo_package_course_load
    from progress.services import enrolment_create

    settings.PACKAGES_ORIGIN = live_server.url.replace("localhost", "127.0.0.1")
    course = demo_course_load()
    demo_quizzes_load(course)
    package_course = demo_package_course_load()
    learner = make_user(email="a11y@example.org")
    enrolment_create(user=learner, course=course)
    enrolment_create(user=learner, course=package_course)
    client = Client()
    client.force_login(learner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    swedish_module = ModulePage.objects.get(slug="fran-politik-till-budget-och-uppfoljning")
    swedish_glossary = LessonPage.objects.get(slug="ordlista")
    for language in ("sv", "en"):
        page.set_viewport_size({"width": 1280, "height": 800})
        module, glossary = swedish_module, swedish_glossary
        if language == "en":
            module, glossary = (
                p.get_translation(p.get_translations().get().locale) for p in (module, glossary)
            )
        lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
        quiz = QuizPage.objects.child_of(module).get()
        assert len(lessons) == 4
        for target in [module, *lessons, quiz, glossary]:
            response = page.goto(live_server.url + target.url)
            assert response.status == 200, target.url
            assert page.locator("html").get_attribute("lang") == language
            assert page.get_by_role("heading", level=1).inner_text() == target.title
            assert_accessible(page)
        if language == "en":
            assert page.locator('main [lang="sv"]').count() >= 25  # the glossary's Swedish terms
        page.set_viewport_size({"width": 320, "height": 800})
        page.goto(live_server.url + lessons[2].url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
    _package_lessons_checked(page, live_server, package_course)


def _package_lessons_checked(page, live_server, course):
    """The wrapper pages of the package course in both languages: axe-core (the wrapper; the
    package in its frame is its producer's), the package played in it, no sideways scrolling
    at 320 px; the SCORM 1.2 lesson by keyboard and in screenshots at 320 and 1280 px."""
    from courses.models import ModulePage
    from tests.browser.checks import SCREENSHOTS

    english = course.get_translation(course.get_translations().get().locale)
    for language, current in (("sv", course), ("en", english)):
        lessons = ModulePage.objects.child_of(current).get().get_children().live().specific()
        for lesson in lessons.order_by("path"):
            page.set_viewport_size({"width": 1280, "height": 800})
            response = page.goto(live_server.url + lesson.url)
            assert response.status == 200, lesson.url
            assert page.locator("html").get_attribute("lang") == language
            assert page.get_by_role("heading", level=1).inner_text() == lesson.title
            frame = page.frame_locator("iframe.package-frame")
            frame.locator("#sco, #h5p-container").first.wait_for(state="attached")
            assert_accessible(page)
            page.set_viewport_size({"width": 320, "height": 800})
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, lesson.url

    # By keyboard, the Swedish SCORM 1.2 lesson (parts, the package, the next part, the pager).
    scorm12 = ModulePage.objects.child_of(course).get().get_children().live()[1].specific
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + scorm12.url)
        package = page.frame_locator("iframe.package-frame").frame_locator("#sco")
        package.locator("h1, h2, p").first.wait_for()  # the package's first part shown
        page.screenshot(path=SCREENSHOTS / f"package-lesson-{width}.png", full_page=True)
        page.locator("iframe.package-frame").screenshot(
            path=SCREENSHOTS / f"package-frame-{width}.png"
        )  # the frame in view: a full-page capture may leave the cross-site frame unpainted
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    first_part = page.get_by_role("link", name="How to Play")
    tab_to(page, first_part)
    assert _focus_visible(page)
    next_part = page.get_by_role("button", name="Nästa del")
    tab_to(page, next_part)  # through the package's own frame and out of it again
    assert _focus_visible(page)
    page.keyboard.press("Enter")  # the package ends its part first, then the next one opens
    expect(page.get_by_role("link", name="Par?")).to_have_attribute("aria-current", "step")


@pytest.mark.parametrize("path", ["/sv/konto/organisation/", "/en/account/organisation/"])
def test_discovery_results_are_accessible_and_fit_a_phone(page, live_server, site, path):
    """Issue 16: the organisations found, with and without a provider, at 320 px."""
    from elearning.federation.models import IdentityProvider
    from elearning.organisations.models import Organisation

    row = IdentityProvider.objects.create(
        kind="oidc",
        name="Lunds kommun",
        slug="lund",
        organisation_from="none",
        oidc_issuer="https://idp.lund.example",
        oidc_client_id="x",
    )
    row.organisations.set(Organisation.objects.filter(code="1281", kind="municipality"))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}{path}?q=Lu")
    assert page.locator("html").get_attribute("lang") == path[1:3]
    assert page.get_by_role("button", name=re.compile("Lunds kommun")).is_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.goto(f"{live_server.url}{path}?q=" + "x" * 101)
    assert_accessible(page)


# Issue 16: the account pages allauth serves with our templates, both languages.
ACCOUNT_PAGES = [
    ("sv", "/sv/konto/e-post/bekrafta/", "Titta i din e-post"),
    ("en", "/en/account/e-mail/confirm/", "Check your e-mail"),
    ("sv", "/sv/konto/e-post/bekrafta/ogiltig-nyckel/", "Bekräfta din e-postadress"),
    ("en", "/en/account/e-mail/confirm/no-such-key/", "Confirm your e-mail address"),
    ("sv", "/sv/konto/losenord/aterstall/skickat/", "Titta i din e-post"),
    ("en", "/en/account/password/reset/sent/", "Check your e-mail"),
    ("sv", "/sv/konto/losenord/aterstall/nyckel/1-fel/", "Välj ett nytt lösenord"),
    ("en", "/en/account/password/reset/key/1-wrong/", "Choose a new password"),
    ("sv", "/sv/konto/stangt/", "Kontot är stängt"),
    ("en", "/en/account/inactive/", "Account closed"),
]
SIGNED_IN_PAGES = [
    ("sv", "/sv/konto/tvastegsverifiering/", "Tvåstegsverifiering"),
    ("en", "/en/account/two-factor/", "Two-step verification"),
    ("sv", "/sv/konto/losenord/byt/", "Byt lösenord"),
    ("en", "/en/account/password/change/", "Change password"),
    ("sv", "/sv/konto/logga-ut/", "Logga ut"),
    ("en", "/en/account/sign-out/", "Sign out"),
    ("sv", "/sv/konto/bekrafta-igen/", "Bekräfta att det är du"),
    ("en", "/en/account/confirm-again/", "Confirm it is you"),
]


def _page_checked(page, url, language, heading):
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == heading, url
    assert_accessible(page)


def test_account_and_two_step_pages_have_no_wcag_violations(page, live_server, make_user):
    """Every new account page in both languages, one browser tab: anonymous pages, then as
    a signed-in learner the second-factor pages, then the code asked at sign-in."""
    from tests.accounts.test_mfa import fresh_step, totp

    for language, path, heading in ACCOUNT_PAGES:
        _page_checked(page, live_server.url + path, language, heading)
    user = make_user(email="tove@kommun.se", preferred_language="sv")
    page.goto(live_server.url + "/sv/konto/logga-in/")
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord").fill("a-long-test-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(live_server.url + "/sv/")
    for language, path, heading in SIGNED_IN_PAGES:
        _page_checked(page, live_server.url + path, language, heading)

    for language, path, title in (
        ("en", "/en/account/two-factor/app/on/", "Turn on two-step verification"),
        ("sv", "/sv/konto/tvastegsverifiering/app/pa/", "Slå på tvåstegsverifiering"),
    ):
        page.goto(live_server.url + path)
        if "/confirm-again/" in page.url or "/bekrafta-igen/" in page.url:
            # allauth asks for the password again first (unless it just did), by keyboard.
            assert_accessible(page)
            password = page.get_by_label("Password" if language == "en" else "Lösenord")
            password.fill("a-long-test-password")
            password.press("Enter")
            page.wait_for_url("**" + path)
        _page_checked(page, page.url, language, title)
        assert page.locator(".totp-qr svg[role=img]").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    fresh_step()
    page.get_by_label("Autentiseringskod").fill(totp(secret))
    page.get_by_role("button", name="Slå på").click()
    page.wait_for_url("**/reservkoder/")
    _page_checked(page, page.url, "sv", "Reservkoder")
    _page_checked(
        page, live_server.url + "/en/account/two-factor/recovery-codes/", "en", "Recovery codes"
    )
    for language, path, heading in (
        ("sv", "/sv/konto/tvastegsverifiering/reservkoder/nya/", "Skapa nya reservkoder"),
        ("en", "/en/account/two-factor/app/off/", "Turn off two-step verification"),
    ):
        _page_checked(page, live_server.url + path, language, heading)
    page.goto(live_server.url + "/sv/konto/logga-ut/")
    page.get_by_role("main").get_by_role("button", name="Logga ut").click()
    page.wait_for_url(live_server.url + "/sv/")
    page.goto(live_server.url + "/en/account/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/en/account/two-factor/code/")
    _page_checked(page, page.url, "en", "Code from your authenticator app")


def test_the_too_many_attempts_page_is_accessible_and_fits_a_phone(page, live_server):
    """The 429 page (issue 16's throttling): thirty sign-in posts in a minute from one client,
    then the next one, sent from the form, gets the page, which must pass axe, say what
    happened in the page's language and reflow at 320 px; the English form, still within
    the minute, gets it in English."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/sv/konto/logga-in/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    for _ in range(30):  # the same browser, cookies and client address, without re-rendering
        sent = page.request.post(
            live_server.url + "/sv/konto/logga-in/",
            form={"csrfmiddlewaretoken": token, "login": "x@region.se", "password": ""},
        )
        assert sent.status == 200
    for language, path, label, button, heading in [
        ("sv", "/sv/konto/logga-in/", "E-postadress", "Logga in", "För många försök"),
        ("en", "/en/account/sign-in/", "E-mail address", "Sign in", "Too many attempts"),
    ]:
        page.goto(live_server.url + path)
        page.get_by_label(label).fill("x@region.se")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=button, exact=True).click()
        assert navigation.value.status == 429
        assert page.get_by_role("heading", level=1, name=heading).is_visible()
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)


def _focus_visible(page) -> bool:
    """The focused element shows a focus indicator (an outline or a box shadow)."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
        " || s.boxShadow !== 'none'; }"
    )
