"""Certificates tell the truth under attack: after account deletion, for revoked PDFs, in the
managers' ZIPs, and with a rate limit that counts clients, not the proxy in front of them."""

import io
import zipfile

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_reissue, certificate_revoke
from certificates.tasks import certificate_render
from certificates.views import VERIFY_LIMIT_PER_MINUTE

from .conftest import course_complete
from .test_manage import manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def verify(client, certificate, **extra):
    return client.get(f"/sv/intyg/{certificate.code}/", **extra)


def test_after_account_deletion_the_page_says_revoked_with_its_reason(client, certificate):
    certificate_render(certificate.pk)
    learner = certificate.enrolment.user
    client.force_login(learner)
    response = client.post(
        "/sv/konto/radera/", {"password": "a-long-test-password", "confirm": "on"}
    )
    assert response.status_code == 302
    client.logout()
    body = verify(client, certificate).content.decode()
    assert "Återkallat intyg" in body and "Inget giltigt intyg" not in body
    assert "kontot raderat" in body  # the reason
    assert "Åsa" not in body and "Öberg-Lind" not in body
    assert "raderades när kontot togs bort" in body  # why the signature cannot be checked
    data = verify(client, certificate, data={"format": "json"}).json()
    assert data["status"] == "revoked"
    assert data["revocation_reason"] == "account deleted / kontot raderat"
    assert data["claim"]["learner"]["name"] == ""
    assert data["signature_valid"] is False
    certificate.refresh_from_db()
    assert not certificate.pdf


def test_a_claim_altered_without_revocation_is_still_not_valid(client, certificate):
    """Keeping revocation authoritative must not let an altered claim pass as anything else."""
    Certificate.objects.filter(pk=certificate.pk).update(
        claim={**certificate.claim, "learner": {"name": ""}}
    )
    assert verify(client, certificate, data={"format": "json"}).json()["status"] == "invalid"


def test_a_revoked_certificate_pdf_is_withdrawn_from_its_owner(client, certificate):
    certificate_render(certificate.pk)
    client.force_login(certificate.enrolment.user)
    url = f"/sv/intyg/{certificate.code}/pdf/"
    assert client.get(url).status_code == 200
    certificate_revoke(certificate=certificate, reason="Utfärdat av misstag")
    response = client.get(url)
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Intyget är indraget" in body and "Utfärdat av misstag" in body
    assert f"/sv/intyg/{certificate.code}/" in body
    # The course page and dashboard no longer offer the PDF either.
    dashboard = client.get("/sv/mina-kurser/").content.decode()
    assert url not in dashboard


def test_a_replaced_or_altered_certificate_pdf_is_withdrawn(client, site, learner):
    course_complete(learner)
    old = Certificate.objects.get()
    certificate_render(old.pk)
    client.force_login(learner)
    new = certificate_reissue(certificate=old)
    certificate_render(new.pk)
    assert client.get(f"/sv/intyg/{old.code}/pdf/").status_code == 410
    assert client.get(f"/sv/intyg/{new.code}/pdf/").status_code == 200
    new.refresh_from_db()
    Certificate.objects.filter(pk=new.pk).update(claim={**new.claim, "score_percent": 100})
    assert client.get(f"/sv/intyg/{new.code}/pdf/").status_code == 410


def test_the_managers_zip_holds_only_certificates_that_verify(client, make_user, site):
    from elearning.organisations.models import Organisation

    malmo = Organisation.objects.get(kind="municipality", code="1280")
    names = [("Mira", "Malm"), ("Moa", "Mark"), ("Max", "Mild")]
    for number, (first, last) in enumerate(names):
        user = make_user(
            email=f"m{number}@example.org", first_name=first, last_name=last, organisation=malmo
        )
        course_complete(user, slug=f"kurs-{number}")
    for certificate in Certificate.objects.all():
        certificate_render(certificate.pk)
    genuine, altered, resigned = Certificate.objects.order_by("pk")
    # One claim altered in the database, one signed with a key the issuer never had.
    Certificate.objects.filter(pk=altered.pk).update(claim={**altered.claim, "score_percent": 99})
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certificates import signing

    stolen = signing.SigningKey(resigned.key_id, Ed25519PrivateKey.generate())
    Certificate.objects.filter(pk=resigned.pk).update(signature=stolen.sign(resigned.claim))
    client.force_login(manager_of(make_user, malmo))
    today = timezone.localdate().isoformat()
    response = client.get("/sv/intyg/hamta/", {"issued_from": today, "issued_until": today})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pdfs = {name for name in archive.namelist() if name.endswith(".pdf")}
    assert pdfs == {f"{genuine.code}.pdf"}
    listing = archive.read("intyg.csv").decode("utf-8-sig").splitlines()
    statuses = {line.split(",")[0]: line.split(",")[-1] for line in listing[1:]}
    assert statuses == {genuine.code: "valid", altered.code: "invalid", resigned.code: "invalid"}


def _exhaust(client, **extra):
    for number in range(VERIFY_LIMIT_PER_MINUTE):
        assert client.get(f"/sv/intyg/{number:024d}/", **extra).status_code == 404


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_limit_counts_each_client(client, certificate):
    proxy = {"REMOTE_ADDR": "172.18.0.1"}
    _exhaust(client, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    held = verify(client, certificate, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert held.status_code == 429
    assert 1 <= int(held["Retry-After"]) <= 60
    # Another client through the same proxy is not held up...
    other = verify(client, certificate, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert other.status_code == 200
    # ...and the held one cannot escape by forging entries left of the proxy's.
    forged = verify(client, certificate, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7", **proxy)
    assert forged.status_code == 429


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client, certificate):
    _exhaust(client, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.1")
    forged = verify(
        client, certificate, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert forged.status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_trusted_proxy_networks_are_skipped_from_the_right(client, certificate):
    chain = "198.51.100.30, 10.1.1.1"  # client, then an inner proxy of ours
    _exhaust(client, REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR=chain)
    assert (
        verify(client, certificate, REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR=chain).status_code
        == 429
    )
    other = verify(
        client, certificate, REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR="198.51.100.31, 10.1.1.1"
    )
    assert other.status_code == 200


def test_an_ipv6_client_is_counted_by_its_network(client, certificate):
    for number in range(VERIFY_LIMIT_PER_MINUTE):
        client.get(f"/sv/intyg/{number:024d}/", REMOTE_ADDR=f"2001:db8:1:2::{number + 1:x}")
    assert verify(client, certificate, REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert verify(client, certificate, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_docker_compose_trusts_its_one_proxy():
    from ruamel.yaml import YAML

    from tests.conftest import ROOT

    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["environment"]
    assert web["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
