"""A learner takes a quiz with every question type by keyboard only, leaves mid-way, resumes,
submits and reads the review; axe-core on the quiz pages in both languages."""

import pytest
from django.conf import settings
from django.test import Client

from courses.models import ModulePage
from progress.services import enrolment_create
from tests.browser.axe import assert_accessible, tab_to
from tests.factories import course_tree, quiz_in

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sv"])
def quiz_page(request, page, live_server, site, make_user):
    course, _ = course_tree(
        modules=1, lessons_per_module=1, slug="quizkurs", language=request.param
    )
    _quiz, quiz_page = quiz_in(ModulePage.objects.child_of(course).get())
    learner = make_user(email="keyboard@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return quiz_page


def test_every_question_type_by_keyboard_with_a_break_in_the_middle(page, live_server, quiz_page):
    page.goto(live_server.url + quiz_page.url)
    assert_accessible(page)
    start = page.get_by_role("button", name="Börja quizet")
    tab_to(page, start)
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz/forsok/**")
    assert_accessible(page)

    # Question 1 (single choice): reach the radio group, pick "2048" with the arrow keys.
    q1 = page.get_by_role("group", name="Fråga 1")
    tab_to(page, q1.get_by_role("radio").first)
    while not q1.get_by_role("radio", name="2048").is_checked():
        page.keyboard.press("ArrowDown")
    # Question 2 (multiple response): tick the two right boxes with Space.
    q2 = page.get_by_role("group", name="Fråga 2")
    for name in ("28 fokusområden", "35 indikatorer"):
        tab_to(page, q2.get_by_role("checkbox", name=name))
        page.keyboard.press("Space")
    # Save and leave half-way.
    save = page.get_by_role("button", name="Spara och fortsätt senare")
    tab_to(page, save)
    page.keyboard.press("Enter")
    page.get_by_text("Dina svar är sparade.").wait_for()

    # Come back later through the quiz page.
    page.goto(live_server.url + quiz_page.url)
    resume = page.get_by_role("link", name="Fortsätt försöket")
    tab_to(page, resume)
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz/forsok/**")
    assert page.get_by_role("group", name="Fråga 1").get_by_role("radio", name="2048").is_checked()
    assert (
        page.get_by_role("group", name="Fråga 2")
        .get_by_role("checkbox", name="35 indikatorer")
        .is_checked()
    )

    # Question 3 (true/false): "Sant".
    q3 = page.get_by_role("group", name="Fråga 3")
    tab_to(page, q3.get_by_role("radio").first)
    while not q3.get_by_role("radio", name="Sant").is_checked():
        page.keyboard.press("ArrowDown")
    # Question 4 (ordering) and 5 (matching): menus, chosen by typing on the focused select.
    q4 = page.get_by_role("group", name="Fråga 4")
    for name, position in (("Kommun", "1"), ("Region", "2"), ("Stat", "3")):
        select = q4.get_by_label(name)
        tab_to(page, select)
        select.select_option(position)  # the keyboard's choice in a native select
    q5 = page.get_by_role("group", name="Fråga 5")
    for prompt, match in (
        ("Folkhälsomyndigheten", "Nationell kunskapsstyrning"),
        ("Länsstyrelsen", "Regional samordning"),
        ("SKR", "Nätverk för kommuner och regioner"),
    ):
        select = q5.get_by_label(prompt)
        tab_to(page, select)
        select.select_option(label=match)
    # Question 6 (reflection): type.
    q6 = page.get_by_role("group", name="Fråga 6")
    tab_to(page, q6.get_by_role("textbox"))
    page.keyboard.type("Vi behöver samverka mer.")

    submit = page.get_by_role("button", name="Lämna in svaren")
    tab_to(page, submit)
    page.keyboard.press("Enter")
    page.wait_for_url("**/resultat/")
    assert page.get_by_text("8 av 8 poäng (100 %)").is_visible()
    assert page.get_by_text("Rätt: inom en generation.").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("quiz_page", ["en"], indirect=True)
def test_quiz_pages_are_accessible_in_english(page, live_server, quiz_page):
    page.goto(live_server.url + quiz_page.url)
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz/attempt/**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/result/")
    assert page.get_by_text("Not passed").is_visible()
    assert_accessible(page)
