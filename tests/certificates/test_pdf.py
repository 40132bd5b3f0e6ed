"""The PDF says what the claim says, in the learner's language, and points at its check."""

import json

import pytest

from certificates import signing
from certificates.models import Certificate
from certificates.render import certificate_pdf
from certificates.tasks import certificate_render

from .conftest import pdf_metadata, pdf_page_size_mm, pdf_qr_codes, pdf_text

pytestmark = pytest.mark.django_db


def test_pdf_holds_the_claim_the_qr_code_and_the_signature(certificate):
    assert certificate_render(certificate.pk)
    certificate.refresh_from_db()
    data = certificate.pdf.read()
    assert data.startswith(b"%PDF")
    assert pdf_page_size_mm(data) == (297, 210)  # A4 landscape
    text = " ".join(pdf_text(data).split())
    claim = certificate.claim
    for expected in (
        "Åsa Öberg-Lind",
        claim["course"]["title"],
        "Intyg om genomförd kurs",
        claim["code"],
        claim["issuer"]["name"],
    ):
        assert expected in text
    # The address may be broken over two lines.
    assert claim["verification_url"] in "".join(text.split())
    assert pdf_qr_codes(data) == [claim["verification_url"]]
    assert "/sv/intyg/" in claim["verification_url"]
    assert pdf_metadata(data, "Title").startswith("Intyg: ")
    embedded = json.loads(pdf_metadata(data, "certificateclaim"))
    assert embedded == claim
    assert signing.verify(
        embedded,
        pdf_metadata(data, "certificatekeyid"),
        pdf_metadata(data, "certificatesignature"),
    )


def test_english_learner_gets_an_english_certificate(site, make_user):
    from .conftest import course_complete

    learner = make_user(
        email="en@example.org", first_name="Robin", last_name="Smith", preferred_language="en"
    )
    course_complete(learner)
    certificate = Certificate.objects.get()
    assert certificate.language == "en"
    assert "/en/certificates/" in certificate.claim["verification_url"]
    text = " ".join(pdf_text(certificate_pdf(certificate)).split())
    assert "Certificate of completion" in text
    assert "Robin Smith" in text
