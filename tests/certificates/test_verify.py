"""The public verification page: the whole claim, the right status, and no enumeration."""

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import signing
from certificates.models import Certificate
from certificates.services import (
    CertificateError,
    certificate_reissue,
    certificate_revoke,
)
from certificates.views import VERIFY_LIMIT_PER_MINUTE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def verify_url(certificate, language="sv"):
    segment = "intyg" if language == "sv" else "certificates"
    return f"/{language}/{segment}/{certificate.code}/"


def test_the_page_shows_the_whole_claim_without_sign_in(client, certificate):
    claim = certificate.claim
    response = client.get(verify_url(certificate))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Giltigt intyg" in body
    for shown in (
        "Åsa Öberg-Lind",
        claim["course"]["title"],
        str(claim["course"]["revision"]),
        claim["completed_on"],
        claim["issuer"]["name"],
        claim["code"],
        f"{claim['course']['estimated_minutes']} minuter",
    ):
        assert shown in body
    english = client.get(verify_url(certificate, "en")).content.decode()
    assert "Valid certificate" in english and "Åsa Öberg-Lind" in english


def test_the_json_is_the_signed_claim(client, certificate):
    data = client.get(verify_url(certificate), {"format": "json"}).json()
    assert data["status"] == "valid" and data["signature_valid"] is True
    assert data["claim"] == certificate.claim
    keys = {
        key["kid"]: key for key in client.get("/.well-known/certificate-keys.json").json()["keys"]
    }
    # Anyone can check the signature with the published key alone.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(signing.b64url_decode(keys[data["key_id"]]["x"]))
    public.verify(signing.b64url_decode(data["signature"]), signing.canonical(data["claim"]))


def test_a_claim_edited_in_the_database_shows_as_not_valid(client, certificate):
    edited = {**certificate.claim, "score_percent": 100}
    Certificate.objects.filter(pk=certificate.pk).update(claim=edited)
    body = client.get(verify_url(certificate)).content.decode()
    assert "Inget giltigt intyg" in body and "Giltigt intyg" not in body
    assert client.get(verify_url(certificate), {"format": "json"}).json()["status"] == "invalid"


def test_a_wrong_signature_or_unknown_key_shows_as_not_valid(client, certificate):
    other = signing.SigningKey("stolen", Ed25519PrivateKey.generate())
    Certificate.objects.filter(pk=certificate.pk).update(signature=other.sign(certificate.claim))
    assert client.get(verify_url(certificate), {"format": "json"}).json()["status"] == "invalid"
    Certificate.objects.filter(pk=certificate.pk).update(
        key_id="stolen", signature=other.sign(certificate.claim)
    )
    assert client.get(verify_url(certificate), {"format": "json"}).json()["status"] == "invalid"


def test_a_revoked_certificate_shows_date_and_reason(client, certificate):
    with pytest.raises(CertificateError):
        certificate_revoke(certificate=certificate, reason="   ")
    certificate_revoke(certificate=certificate, reason="Intyget utfärdades av misstag")
    body = client.get(verify_url(certificate)).content.decode()
    assert "Återkallat intyg" in body
    assert "Intyget utfärdades av misstag" in body
    assert timezone.localdate().strftime("%Y") in body
    data = client.get(verify_url(certificate), {"format": "json"}).json()
    assert data["status"] == "revoked" and data["revocation_reason"]


def test_an_expired_certificate_shows_as_expired(client, site, learner):
    from .conftest import course_complete

    course_complete(learner, certificate_validity_months=1)
    certificate = Certificate.objects.get()
    # Sign a claim whose validity ended yesterday, as if it had been issued long ago.
    claim = {**certificate.claim, "expires_on": (timezone.localdate() - timedelta(1)).isoformat()}
    Certificate.objects.filter(pk=certificate.pk).update(
        claim=claim, signature=signing.current_key().sign(claim)
    )
    body = client.get(verify_url(certificate)).content.decode()
    assert "Utgånget intyg" in body


def test_a_reissued_certificate_points_at_its_successor(client, certificate):
    new = certificate_reissue(certificate=certificate)
    assert Certificate.objects.filter(superseded_at__isnull=True).get() == new
    body = client.get(verify_url(certificate)).content.decode()
    assert "Ersatt intyg" in body and new.claim["verification_url"] in body
    assert client.get(verify_url(new), {"format": "json"}).json()["status"] == "valid"
    with pytest.raises(CertificateError):
        certificate_reissue(certificate=certificate)


def test_unknown_codes_get_a_plain_not_found_at_the_same_cost(client, certificate):
    unknown = "A" * len(certificate.code)
    # The site's shared parts (menu, footer links, page tree) are cached by the first request
    # of a process (issue 17); measured after that, as every later visitor meets the page.
    client.get(f"/sv/intyg/{'B' * len(certificate.code)}/")
    with CaptureQueriesContext(connection) as known_queries:
        assert client.get(verify_url(certificate)).status_code == 200
    with CaptureQueriesContext(connection) as unknown_queries:
        response = client.get(f"/sv/intyg/{unknown}/")
    assert response.status_code == 404
    assert "Intyget hittades inte" in response.content.decode()
    assert "Åsa" not in response.content.decode()
    assert len(unknown_queries) == len(known_queries), (
        [q["sql"] for q in known_queries],
        [q["sql"] for q in unknown_queries],
    )
    assert client.get(f"/sv/intyg/{unknown}/", {"format": "json"}).json() == {"status": "not_found"}
    assert client.get("/sv/intyg/kort/").status_code == 404  # not even a code


def test_enumerating_codes_is_rate_limited(client, certificate):
    for number in range(VERIFY_LIMIT_PER_MINUTE):
        assert client.get(f"/sv/intyg/{number:024d}/").status_code == 404
    response = client.get(verify_url(certificate))  # even a right code now waits
    assert response.status_code == 429
    # The seconds left in the client's one-minute window (django-ratelimit staggers windows).
    assert 1 <= int(response["Retry-After"]) <= 60
    other = client.get(verify_url(certificate), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200  # another address is not held up


def test_only_the_learner_downloads_their_pdf(client, certificate, make_user):
    from certificates.tasks import certificate_render

    certificate_render(certificate.pk)
    url = f"/sv/intyg/{certificate.code}/pdf/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(make_user(email="someone-else@example.org"))
    assert client.get(url).status_code == 404
    client.force_login(certificate.enrolment.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
