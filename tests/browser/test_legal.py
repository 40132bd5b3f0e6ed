"""Real Chromium, a real Celery worker and the SMTP sink: from a page through the footer to
the accessibility statement, its feedback form (a mistake first), stored, e-mailed to the
administrators, a receipt to the sender."""

from pathlib import Path

import pytest

from elearning.legal.models import FeedbackMessage
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]

SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_feedback_from_the_statement_page_is_stored_mailed_and_acknowledged(
    page, live_server, site, make_user, celery_worker, smtp_sink
):
    make_user(email="webmaster@region.se", is_superuser=True, is_staff=True)
    page.goto(live_server.url + "/sv/kurser/")
    page.get_by_role("contentinfo").get_by_role("link", name="Tillgänglighetsredogörelse").click()
    page.wait_for_url("**/sv/tillganglighetsredogorelse/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tillgänglighetsredogörelse"
    assert page.get_by_label("Vilken sida gäller det?").input_value() == "/sv/kurser/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"accessibility-statement-{width}.png"), full_page=True)

    page.get_by_label("Jag behöver innehåll i tillgänglig form").check()
    page.get_by_label("Din e-postadress").fill("kim@")
    page.get_by_role("button", name="Skicka").click()
    alert = page.get_by_role("alert")
    assert "Skriv vad ditt meddelande gäller." in alert.inner_text()
    assert page.title().startswith("Fel:")
    assert_accessible(page)
    assert not FeedbackMessage.objects.exists()

    page.get_by_label("Ditt meddelande").fill("Jag behöver quizet som vanlig text.")
    page.get_by_label("Din e-postadress").fill("kim@lund.se")
    page.get_by_label("Ditt namn").fill("Kim Strateg")
    page.get_by_role("button", name="Skicka").click()
    page.wait_for_url("**/sv/tillganglighet/synpunkter/skickat/")
    assert "En bekräftelse är på väg" in page.get_by_role("status").inner_text()
    assert_accessible(page)

    feedback = FeedbackMessage.objects.get()
    assert (feedback.kind, feedback.page_url, feedback.name) == (
        "alternative",
        "/sv/kurser/",
        "Kim Strateg",
    )
    to_admins = smtp_sink.wait_for(lambda m: m["To"] == "webmaster@region.se")
    assert "Jag behöver quizet som vanlig text." in to_admins.get_content()
    assert to_admins["Reply-To"] == "kim@lund.se"
    receipt = smtp_sink.wait_for(lambda m: m["To"] == "kim@lund.se")
    assert "svarar inom 5 arbetsdagar" in receipt.get_content()
