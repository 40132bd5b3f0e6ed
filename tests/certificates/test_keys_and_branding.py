"""Key rotation keeps old certificates valid; the design settings reach the PDF; SMTP errors
are retried without a second e-mail."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from certificates import services, signing
from certificates.models import Certificate, CertificateBranding
from certificates.render import certificate_pdf
from certificates.tasks import (
    MAX_ATTEMPTS,
    certificate_deliver,
    certificate_render,
    certificate_send,
    due,
    undelivered,
)
from elearning.accounts import roles

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


def test_after_failures_the_sweeper_waits_and_an_operator_can_try_again(
    certificate, settings, client, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    certificate_render(certificate.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert certificate_deliver.apply(args=[certificate.pk]).failed()
    rows = Certificate.objects.filter(pk=certificate.pk)
    # Still the sweeper's, but not before the backoff after the last failure is over.
    assert undelivered(grace=timedelta(0)).filter(pk=certificate.pk).exists()
    assert not due(grace=timedelta(0)).filter(pk=certificate.pk).exists()
    rows.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert due(grace=timedelta(0)).filter(pk=certificate.pk).exists()

    # Given up: the sweeper leaves it, the operators' list shows it with "try again".
    rows.update(email_attempts=MAX_ATTEMPTS)
    assert not undelivered(grace=timedelta(0)).filter(pk=certificate.pk).exists()
    retry_url = f"/admin/certificates/{certificate.pk}/retry/"
    author = make_user(email="author@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))  # in the admin, not allowed here
    client.force_login(author)
    refused = client.post(retry_url)  # Wagtail turns "permission denied" into its dashboard
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert rows.values_list("email_attempts", flat=True).get() == MAX_ATTEMPTS
    client.force_login(make_user(email="admin@example.org", is_superuser=True, is_staff=True))
    listing = client.get("/admin/certificates/").content.decode()
    assert certificate.code in listing and retry_url in listing
    assert f"Gav upp efter {MAX_ATTEMPTS} försök" in listing

    requested = []
    monkeypatch.setattr(services, "delivery_request", requested.extend)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url).status_code == 302
    assert requested == [certificate.pk]
    assert rows.values_list("email_attempts", "next_attempt_at").get() == (0, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    certificate_deliver.apply(args=[certificate.pk])
    assert [m.to for m in mail.outbox] == [[certificate.enrolment.user.email]]
    # Nothing failing any more: a second "try again" changes nothing and says so.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url)
    assert requested == [certificate.pk]


def test_the_design_setting_is_edited_in_the_certificates_app(client, make_user):
    """Its address before certificates left progress still leads to the form."""
    client.force_login(make_user(email="admin@example.org", is_superuser=True, is_staff=True))
    old = client.get("/admin/settings/progress/certificatebranding/")
    assert old.status_code == 301
    assert old["Location"] == "/admin/settings/certificates/certificatebranding/"
    form = client.get(old["Location"], follow=True)
    assert form.status_code == 200
    assert 'name="issuer_name"' in form.content.decode()
