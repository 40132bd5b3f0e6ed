"""The certificate journey, in Chromium: the demo learner finishes the demo course, receives
the certificate by e-mail, opens the verification address printed in the PDF, and finds the
page valid and accessible in Swedish and English; the dashboard offers the PDF for download."""

import re

import pytest
from django.core import mail
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.formats import date_format

from certificates import services as certificate_services
from certificates.models import Certificate
from certificates.tasks import certificate_deliver
from courses.models import CoursePage, LessonPage, QuizPage
from demo.services import DEMO_PASSWORD, demo_load
from elearning.accounts.models import User
from progress.models import Enrolment
from progress.services import lesson_complete
from quizzes.services import attempt_start, attempt_submit
from tests.browser.axe import assert_accessible, tab_to
from tests.certificates.conftest import pdf_qr_codes, pdf_text
from tests.quizzes.conftest import perfect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "Folkhälsopolitik för kommuner och regioner"
LEARNER_EMAIL = "deltagare@example.org"  # Lina Lärande, enrolled by demo_load()


def post_data(attempt) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in perfect(attempt).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def claim_row(page, term: str):
    """The value shown for ``term`` in the list of what the certificate says."""
    return page.locator("dl dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def test_finish_the_demo_course_get_the_certificate_by_mail_and_verify_it(
    page, live_server, settings, monkeypatch
):
    url = live_server.url
    settings.SITE_URL = url  # the addresses in the certificate point at this server
    demo_load()
    learner = User.objects.get(email=LEARNER_EMAIL)
    assert learner.preferred_language == "sv"
    course = CoursePage.objects.get(title=COURSE, locale__language_code="sv")
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    quizzes = list(QuizPage.objects.live().descendant_of(course).order_by("path"))
    assert (len(lessons), len(quizzes)) == (18, 6)

    # No worker here: keep what the completion asks Celery to deliver, run it below.
    requested = []
    monkeypatch.setattr(certificate_services, "delivery_request", requested.extend)

    # The bulk through the services: every lesson but the last, every quiz passed.
    for lesson in lessons[:-1]:
        lesson_complete(user=learner, lesson=lesson)
    for placement in quizzes:
        attempt = attempt_start(user=learner, placement=placement)
        attempt = attempt_submit(user=learner, attempt_id=attempt.pk, data=post_data(attempt))
        assert attempt.passed, placement.title
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.completed_at is None
    assert not Certificate.objects.exists()

    # The last step in the browser.
    page.goto(url + "/sv/konto/logga-in/")
    page.get_by_label("E-postadress").fill(LEARNER_EMAIL)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(url + "/sv/")
    page.goto(url + lessons[-1].url)
    page.get_by_role("button", name="Markera som klar och gå vidare").click()
    page.wait_for_url(url + course.url)
    assert page.get_by_text("Grattis! Du har slutfört kursen.").is_visible()
    enrolment.refresh_from_db()
    completed_on = timezone.localdate(enrolment.completed_at)
    with translation.override("sv"):
        shown_on = date_format(completed_on, "j F Y")
    assert page.get_by_text(f"Du slutförde kursen den {shown_on}.").is_visible()
    assert page.get_by_text(
        "Ditt intyg förbereds; det kommer med e-post om någon minut."
    ).is_visible()

    # Delivery, as the worker would run it.
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert requested == [certificate.pk]
    assert mail.outbox == []
    certificate_deliver.apply(args=[certificate.pk]).get()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [LEARNER_EMAIL]
    assert message.subject == f"Ditt intyg: {COURSE}"
    assert message.body.startswith("Hej Lina,")
    assert len(message.attachments) == 1
    filename, pdf, mimetype = message.attachments[0]
    assert (mimetype, filename.endswith(".pdf"), pdf[:4]) == ("application/pdf", True, b"%PDF")

    # The address printed in the PDF (possibly broken over lines) and in its QR code.
    printed = "".join(pdf_text(pdf).split())
    addresses = re.findall(re.escape(url) + r"/sv/intyg/[a-z2-7]+/", printed)
    assert len(addresses) == 1, printed
    address = addresses[0]
    assert pdf_qr_codes(pdf) == [address]
    assert address in message.body

    # The public verification page, signed out, in Swedish.
    page.context.clear_cookies()
    page.goto(address)
    assert page.get_by_role("heading", name="Kontroll av intyg", level=1).is_visible()
    status = page.get_by_role("status")
    assert status.get_by_role("heading", name="Giltigt intyg").is_visible()
    assert claim_row(page, "Namn").inner_text() == "Lina Lärande"
    assert claim_row(page, "Kurs").inner_text() == COURSE
    assert claim_row(page, "Genomförd").inner_text() == completed_on.isoformat()
    assert_accessible(page)

    # The JSON of the claim is reachable by keyboard, with a visible focus.
    json_link = page.get_by_role("link", name="Uppgifterna och signaturen som JSON")
    tab_to(page, json_link)
    assert json_link.evaluate("element => element.matches(':focus-visible')")
    outline = json_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"

    # The same page in English, through the page's language switch.
    page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()
    page.wait_for_url(address.replace("/sv/intyg/", "/en/certificates/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("status").get_by_role("heading", name="Valid certificate").is_visible()
    assert claim_row(page, "Name").inner_text() == "Lina Lärande"
    assert claim_row(page, "Course").inner_text() == COURSE
    assert claim_row(page, "Completed on").inner_text() == completed_on.isoformat()
    assert_accessible(page)

    # The dashboard offers the certificate; downloading it gives the PDF.
    page.goto(url + "/sv/konto/logga-in/")
    page.get_by_label("E-postadress").fill(LEARNER_EMAIL)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(url + "/sv/")
    page.goto(url + "/sv/mina-kurser/")
    completed = page.get_by_role("region", name="Slutförda")
    assert completed.get_by_role("link", name=COURSE, exact=True).is_visible()
    download_link = completed.get_by_role("link", name=re.compile(r"^Hämta ditt intyg \(PDF\)"))
    verify_link = completed.get_by_role("link", name=re.compile(r"^Kontrollsida\b"))
    assert url + verify_link.get_attribute("href") == address
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == pdf
