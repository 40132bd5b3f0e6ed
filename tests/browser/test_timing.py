"""A time accommodation end to end in Chromium (issue 14, WCAG 2.2.1): a manager grants it on
the page, the learner sees it on the quiz page, the server takes a submit after the quiz's
limit but within the learner's; without it, the answers saved before the deadline are kept:
a late submit grades them, and when the countdown runs out the page submits by itself."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from courses.models import ModulePage
from elearning.accounts import roles
from elearning.organisations.models import Organisation
from progress.services import enrolment_create
from quizzes.models import Attempt, TimeAccommodation
from tests.browser.axe import assert_accessible
from tests.factories import course_tree, quiz_in

pytestmark = pytest.mark.browser


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _shift(attempt, **delta):
    """Move an attempt back in time, as if it had been started ``delta`` earlier."""
    shift = timedelta(**delta)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift, deadline=attempt.deadline - shift
    )


def test_a_manager_grants_extra_time_the_server_applies_it_and_answers_are_kept(
    browser, live_server, site, make_user
):
    stockholm = Organisation.objects.get(kind="municipality", code="0180")
    course, _ = course_tree(modules=1, lessons_per_module=1, slug="tidskurs")
    quiz, quiz_page = quiz_in(ModulePage.objects.child_of(course).get(), time_limit_minutes=20)
    learner = make_user(email="deltagare@example.org", first_name="Maja", last_name="Ek")
    enrolment_create(user=learner, course=course)
    manager = make_user(email="samordnare@example.org", organisation=stockholm)
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    manager.managed_organisations.add(stockholm)

    # The manager grants 1.5 times the limit from the reports' menu.
    boss = _signed_in(browser, live_server, manager)
    boss.goto(live_server.url + "/sv/rapporter/")
    boss.get_by_role("navigation", name="Rapporter").get_by_role(
        "link", name="Tidsanpassningar"
    ).click()
    boss.wait_for_url("**/sv/quiz/tidsanpassningar/")
    boss.get_by_label("Deltagarens e-postadress").fill("deltagare@example.org")
    boss.locator("#id_kind").select_option("multiplier")
    boss.get_by_label("Multiplicera tidsgränsen med").fill("1,5")
    boss.get_by_label("Skäl").fill("Deltagarens begäran 3 mars")
    boss.get_by_role("button", name="Ge anpassningen").click()
    boss.get_by_text("Maja Ek har nu en tidsanpassning").wait_for()
    assert boss.get_by_text("tidsgränsen × 1,5").is_visible()
    assert_accessible(boss)
    granted = TimeAccommodation.objects.get()
    assert (granted.granted_by, granted.learner) == (manager, learner)

    # The learner sees their time, starts, answers the first question (saved as they go).
    page = _signed_in(browser, live_server, learner)
    page.goto(live_server.url + quiz_page.url)
    assert page.get_by_text("30 minuter (anpassning: tidsgränsen × 1,5)").is_visible()
    page.get_by_role("button", name="Börja quizet").click()
    page.wait_for_url("**/quiz/forsok/**")
    assert page.get_by_role("timer").inner_text().startswith(("30:00", "29:5"))
    assert page.get_by_text("med din anpassning: tidsgränsen × 1,5").is_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Fråga 1").get_by_role("radio", name="2048").check()
    page.get_by_role("status").filter(has_text="Dina svar är sparade").wait_for()
    attempt = Attempt.objects.get()
    assert attempt.answers  # saved on the server, not only on the screen

    # 25 minutes in: past the quiz's 20, within the learner's 30. The submit is graded.
    _shift(attempt, minutes=25)
    page.get_by_role("button", name="Lämna in svaren").click()
    page.wait_for_url("**/resultat/")
    assert page.get_by_text("Tiden tog slut").count() == 0
    assert page.get_by_text("Du svarade: 2048").is_visible()
    assert Attempt.objects.get(pk=attempt.pk).score == 1

    # Withdrawn: the next attempt has 20 minutes. A submit after them grades what was saved.
    boss.goto(live_server.url + "/sv/quiz/tidsanpassningar/")
    boss.get_by_role("button", name="Återkalla anpassningen för Maja Ek").click()
    boss.get_by_text("Anpassningen för Maja Ek är återkallad").wait_for()
    page.goto(live_server.url + quiz_page.url)
    page.get_by_role("button", name="Börja ett nytt försök").click()
    page.wait_for_url("**/quiz/forsok/**")
    second = Attempt.objects.get(submitted_at__isnull=True)
    assert second.deadline - second.started_at == timedelta(minutes=20)
    page.get_by_role("group", name="Fråga 1").get_by_role("radio", name="2048").check()
    page.get_by_role("status").filter(has_text="Dina svar är sparade").wait_for()
    _shift(second, minutes=21)
    page.get_by_role("group", name="Fråga 3").get_by_role("radio", name="Sant").check()
    page.get_by_role("button", name="Lämna in svaren").click()
    page.wait_for_url("**/resultat/")
    assert page.get_by_text("Tiden tog slut innan de här svaren kom fram").is_visible()
    second.refresh_from_db()
    assert second.score == 1  # question 1 as saved; question 3, sent late, not taken

    # The countdown runs out on the page: warned, then the form is submitted by itself.
    page.goto(live_server.url + quiz_page.url)
    page.get_by_role("button", name="Börja ett nytt försök").click()
    page.wait_for_url("**/quiz/forsok/**")
    third = Attempt.objects.get(submitted_at__isnull=True)
    Attempt.objects.filter(pk=third.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    assert "1 minut kvar" in page.get_by_role("alert").inner_text()
    page.get_by_role("group", name="Fråga 3").get_by_role("radio", name="Sant").check()
    page.wait_for_url("**/resultat/", timeout=20_000)
    third.refresh_from_db()
    assert not third.is_open and third.score == 1  # the answer given before the end
    boss.context.close()
    page.context.close()
