"""The whole journey in Swedish, in Chromium: register, enrol, read across two sittings,
continue where one left off, complete the course, see it on the dashboard."""

import re

import pytest

from courses.models import ModulePage
from tests.browser.axe import assert_accessible
from tests.factories import course_tree, every_question, quiz_in

pytestmark = pytest.mark.browser
PASSWORD = "Jämlik-hälsa-2048"


def test_register_enrol_resume_pass_the_quiz_and_complete(page, live_server, site, mail_in_process):
    course, lessons = course_tree(modules=2, lessons_per_module=2, slug="resa")
    last_module = ModulePage.objects.child_of(course).order_by("path").last()
    quiz_in(last_module, questions=every_question()[2:3], slug="resa-quiz")  # one true/false
    url = live_server.url

    page.goto(url + "/sv/konto/registrera/")
    page.get_by_label("Förnamn").fill("Tove")
    page.get_by_label("Efternamn").fill("Tjänsteperson")
    page.get_by_label("E-postadress").fill("tove@kommun.se")
    page.get_by_label("Organisation").select_option(label="Luleå")
    page.get_by_label("Din roll").select_option(label="Tjänsteperson eller strateg")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    page.wait_for_url(url + "/sv/konto/e-post/bekrafta/")
    [message] = mail_in_process  # the address is confirmed before the account is used
    page.goto(next(word for word in message.body.split() if "/konto/e-post/bekrafta/" in word))
    page.get_by_role("button", name="Bekräfta").click()
    page.wait_for_url(url + "/sv/")

    page.goto(url + course.url)
    assert_accessible(page)
    page.get_by_role("button", name="Anmäl dig till kursen").click()
    page.get_by_text("Du är anmäld.").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Börja kursen").click()
    page.wait_for_url(url + lessons[0].url)
    page.get_by_role("button", name="Markera som klar och gå vidare").click()
    page.wait_for_url(url + lessons[1].url)  # second lesson opened, not finished

    # Sign out; another sitting later.
    page.get_by_role("button", name="Logga ut").click()
    page.goto(url + "/sv/konto/logga-in/")
    page.get_by_label("E-postadress").fill("tove@kommun.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(url + "/sv/")
    page.get_by_role("link", name="Mina kurser").click()
    assert page.get_by_text("1 av 4 lektioner klara (25 %)").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Fortsätt\W+Kurs resa$")).click()
    page.wait_for_url(url + lessons[1].url)  # where the learner left off

    for lesson in lessons[1:]:
        page.wait_for_url(url + lesson.url)
        page.get_by_role("button", name="Markera som klar och gå vidare").click()
    # After the module's last lesson: its quiz.
    page.get_by_role("button", name="Börja quizet").click()
    page.get_by_role("radio", name="Sant").check()
    page.get_by_role("button", name="Lämna in svaren").click()
    assert page.get_by_text("1 av 1 poäng (100 %)").is_visible()
    page.goto(url + course.url)
    assert page.get_by_text("Du slutförde kursen den").is_visible()

    page.get_by_role("link", name="Mina kurser").click()
    completed = page.get_by_role("region", name="Slutförda")
    assert completed.get_by_role("link", name="Kurs resa", exact=True).is_visible()
    assert page.get_by_text("Du har inga pågående kurser.").is_visible()
    assert_accessible(page)
