"""Key rotation keeps old certificates valid; the design settings reach the PDF; SMTP errors
are retried without a second e-mail."""

from datetime import timedelta

import pytest
from django.core import mail
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from progress.certificates import signing
from progress.certificates.models import CertificateBranding
from progress.certificates.render import certificate_pdf
from progress.certificates.tasks import (
    certificate_deliver,
    certificate_render,
    certificate_send,
    undelivered,
)
from progress.models import Certificate

from .conftest import course_complete, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_keys():
    signing.current_key.cache_clear()
    signing.public_keys.cache_clear()
    yield
    signing.current_key.cache_clear()
    signing.public_keys.cache_clear()


def public_line(line: str) -> str:
    key_id, _, private = line.partition(":")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = Ed25519PrivateKey.from_private_bytes(signing.b64url_decode(private)).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{key_id}:{signing.b64url(raw)}"


def test_after_a_key_rotation_old_certificates_still_verify(
    client, site, learner, settings, fresh_keys
):
    old, new = signing.key_line_new("k2025"), signing.key_line_new("k2026")
    settings.CERTIFICATE_SIGNING_KEY = old
    course_complete(learner)
    certificate = Certificate.objects.get()
    assert certificate.key_id == "k2025"

    settings.CERTIFICATE_SIGNING_KEY = new
    signing.current_key.cache_clear()
    signing.public_keys.cache_clear()
    url = f"/sv/intyg/{certificate.code}/"
    # Forgotten to publish the retired key: the old certificate cannot be checked.
    assert client.get(url, {"format": "json"}).json()["status"] == "invalid"

    settings.CERTIFICATE_RETIRED_KEYS = public_line(old)
    signing.public_keys.cache_clear()
    assert client.get(url, {"format": "json"}).json()["status"] == "valid"
    keys = client.get("/.well-known/certificate-keys.json").json()["keys"]
    assert {(key["kid"], key["status"]) for key in keys} == {
        ("k2026", "current"),
        ("k2025", "retired"),
    }
    assert all("d" not in key for key in keys)  # never the private half


def test_a_malformed_key_is_refused(settings, fresh_keys):
    from django.core.exceptions import ImproperlyConfigured

    settings.CERTIFICATE_SIGNING_KEY = "k1:not-a-key"
    with pytest.raises(ImproperlyConfigured):
        signing.current_key()


def test_the_certificate_design_settings_reach_the_pdf(site, learner):
    branding = CertificateBranding.load()
    branding.issuer_name = "Region Exempel, folkhälsoenheten"
    branding.signatory_name = "Maja Mönster"
    branding.signatory_title_sv = "Folkhälsochef"
    branding.logo = Image.objects.create(title="Logo", file=get_test_image_file())
    branding.save()
    course_complete(learner)
    certificate = Certificate.objects.get()
    assert certificate.claim["issuer"]["name"] == "Region Exempel, folkhälsoenheten"
    data = certificate_pdf(certificate)
    text = " ".join(pdf_text(data).split())
    assert "Region Exempel, folkhälsoenheten" in text
    assert "Maja Mönster, Folkhälsochef" in text
    assert data.count(b"/Subtype /Image") >= 1  # the logo is embedded


def test_smtp_errors_are_recorded_and_the_retry_sends_once(certificate, settings):
    certificate_render(certificate.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(OSError):
        certificate_send(certificate.pk)
    result = certificate_deliver.apply(args=[certificate.pk])  # the task retries, then gives up
    assert result.failed()
    certificate.refresh_from_db()
    assert certificate.emailed_at is None  # nothing recorded as sent
    assert certificate.email_attempts >= 2 and "Connection refused" in certificate.last_error
    assert undelivered(grace=timedelta(0)).filter(pk=certificate.pk).exists()  # the sweeper's
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert certificate_send(certificate.pk) is True
    assert certificate_send(certificate.pk) is False
    assert len(mail.outbox) == 1
