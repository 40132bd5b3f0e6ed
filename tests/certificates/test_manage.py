"""Managers download their organisations' certificates; administrators revoke and re-issue."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Group

from certificates.models import Certificate
from certificates.tasks import certificate_render
from elearning.accounts import roles
from elearning.organisations.models import Organisation

from .conftest import course_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_municipalities(site, make_user):
    malmo = Organisation.objects.get(kind="municipality", code="1280")
    kiruna = Organisation.objects.get(kind="municipality", code="2584")
    in_malmo = make_user(
        email="malmo@example.org", first_name="Mira", last_name="Malm", organisation=malmo
    )
    in_kiruna = make_user(
        email="kiruna@example.org", first_name="Kai", last_name="Kir", organisation=kiruna
    )
    course_complete(in_malmo)
    course, _ = course_complete(in_kiruna, slug="kurs-2")
    for certificate in Certificate.objects.all():
        certificate_render(certificate.pk)
    return malmo, kiruna


def manager_of(make_user, organisation, email="chef@example.org"):
    manager = make_user(email=email)
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    manager.managed_organisations.add(organisation)
    return manager


def zip_names(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, archive.namelist()


def test_a_manager_gets_only_their_organisations_certificates(
    client, make_user, two_municipalities
):
    malmo, kiruna = two_municipalities
    client.force_login(manager_of(make_user, malmo))
    response = client.get(
        "/sv/intyg/hamta/", {"issued_from": "2000-01-01", "issued_until": "2100-01-01"}
    )
    assert response.status_code == 400  # more than a year at a time
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    response = client.get("/sv/intyg/hamta/", {"issued_from": today, "issued_until": today})
    assert response.status_code == 200
    archive, names = zip_names(response)
    mine = Certificate.objects.get(enrolment__organisation=malmo)
    theirs = Certificate.objects.get(enrolment__organisation=kiruna)
    assert f"{mine.code}.pdf" in names and f"{theirs.code}.pdf" not in names
    listing = archive.read("intyg.csv").decode("utf-8-sig")
    assert "Mira Malm" in listing and "Kai Kir" not in listing


def test_learners_and_authors_cannot_download(client, make_user, two_municipalities):
    learner = make_user(email="plain@example.org")
    client.force_login(learner)
    assert client.get("/sv/intyg/hamta/").status_code == 403
    author = make_user(email="author@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    client.force_login(author)
    assert client.get("/sv/intyg/hamta/").status_code == 403
    client.logout()
    assert client.get("/sv/intyg/hamta/").status_code == 302


def test_bad_dates_get_a_clear_error(client, make_user, two_municipalities):
    malmo, _ = two_municipalities
    client.force_login(manager_of(make_user, malmo))
    response = client.get(
        "/sv/intyg/hamta/", {"issued_from": "2026-02-01", "issued_until": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "Det första datumet får inte vara efter det sista." in response.content.decode()
    response = client.get("/sv/intyg/hamta/", {"issued_from": "igår", "issued_until": ""})
    assert response.status_code == 400


def test_an_administrator_revokes_and_reissues_in_the_admin(client, make_user, certificate):
    admin = make_user(email="admin@example.org", is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get("/admin/certificates/", {"q": certificate.code})
    assert listing.status_code == 200 and "Åsa Öberg-Lind" in listing.content.decode()
    client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # a reason is required
    client.post(f"/admin/certificates/{certificate.pk}/reissue/")
    certificate.refresh_from_db()
    assert certificate.superseded_by is not None
    new = certificate.superseded_by
    client.post(f"/admin/certificates/{new.pk}/revoke/", {"reason": "Fel person"})
    new.refresh_from_db()
    assert new.revoked_at is not None and new.revocation_reason == "Fel person"


def test_learners_and_managers_cannot_revoke(client, make_user, certificate):
    client.force_login(certificate.enrolment.user)
    assert client.post(
        f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "x"}
    ).status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
