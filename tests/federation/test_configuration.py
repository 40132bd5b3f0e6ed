"""Identity providers in the Wagtail admin (client secret write-only), the discovery page, and
the rule that a provider only places people in organisations it serves."""

import re

import pytest

from elearning.federation.models import IdentityProvider
from elearning.organisations.models import Organisation

pytestmark = pytest.mark.django_db

SECRET = "s3cret-from-the-idp-portal"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _oidc_form(**overrides):
    region = Organisation.objects.get(kind="region", code="12")
    data = {
        "name": "Region Skåne",
        "slug": "region-skane",
        "kind": "oidc",
        "enabled": "on",
        "organisations": [str(region.pk)],
        "organisation_from": "fixed",
        "organisation": str(region.pk),
        "organisation_attribute": "",
        "saml_metadata_url": "",
        "saml_metadata_xml": "",
        "oidc_issuer": "https://login.example.org/tenant/v2.0",
        "oidc_client_id": "client-123",
        "oidc_client_secret": SECRET,
        "email_attribute": "email",
        "given_name_attribute": "given_name",
        "family_name_attribute": "family_name",
    }
    data.update(overrides)
    return data


def test_the_client_secret_is_stored_encrypted_and_never_shown_again(admin_client):
    response = admin_client.post("/admin/identity_providers/new/", _oidc_form())
    assert response.status_code == 302
    row = IdentityProvider.objects.get()
    assert SECRET not in row.oidc_client_secret_encrypted
    assert row.oidc_client_secret == SECRET

    edit = admin_client.get(f"/admin/identity_providers/edit/{row.pk}/").content.decode()
    assert SECRET not in edit
    assert row.oidc_client_secret_encrypted not in edit
    assert "En hemlighet är sparad" in edit or "A secret is stored" in edit
    listing = admin_client.get("/admin/identity_providers/").content.decode()
    assert "Region Skåne" in listing and SECRET not in listing
    export = admin_client.get("/admin/identity_providers/?export=csv")
    assert SECRET not in b"".join(export.streaming_content).decode()

    # Saved again with the field left empty: the secret stays; typed anew: replaced.
    admin_client.post(
        f"/admin/identity_providers/edit/{row.pk}/", _oidc_form(oidc_client_secret="")
    )
    row.refresh_from_db()
    assert row.oidc_client_secret == SECRET
    admin_client.post(
        f"/admin/identity_providers/edit/{row.pk}/", _oidc_form(oidc_client_secret="new-one")
    )
    row.refresh_from_db()
    assert row.oidc_client_secret == "new-one"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "saml"}, "saml_metadata_url"),
        ({"oidc_issuer": ""}, "oidc_issuer"),
        ({"oidc_client_id": ""}, "oidc_client_id"),
        ({"organisation": ""}, "organisation"),
        ({"organisation_from": "claim"}, "organisation_attribute"),
        ({"oidc_issuer": "not an address"}, "oidc_issuer"),
        ({"kind": "saml", "saml_metadata_xml": "<not-metadata/>"}, "saml_metadata_xml"),
        ({"kind": "saml", "saml_metadata_xml": "{ not xml"}, "saml_metadata_xml"),
    ],
)
def test_an_incomplete_provider_gets_a_clear_error_and_nothing_is_saved(
    admin_client, overrides, field
):
    response = admin_client.post("/admin/identity_providers/new/", _oidc_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not IdentityProvider.objects.exists()


def test_learners_cannot_reach_the_configuration(client, make_user):
    client.force_login(make_user())
    assert client.get("/admin/identity_providers/").status_code in (302, 403)


@pytest.fixture
def lund_provider(site):
    row = IdentityProvider(
        kind="oidc",
        name="Lunds kommun",
        slug="lund",
        organisation_from="claim",
        organisation_attribute="municipalityCode",
        oidc_issuer="https://idp.lund.example",
        oidc_client_id="x",
    )
    row.save()
    row.organisations.set(Organisation.objects.filter(code="1281", kind="municipality"))
    return row


def test_discovery_finds_the_organisation_and_its_provider(client, lund_provider):
    page = client.get("/sv/konto/organisation/", {"q": "lund"}).content.decode()
    assert "Logga in med Lunds kommun" in page
    assert 'action="/federation/oidc/lund/login/"' in page
    assert 'name="next" value="/sv/"' in page
    # The button's journey ends at the provider: the page's form-action allows its origin.
    response = client.get("/en/account/organisation/", {"q": "Lund"})
    assert "Sign in with Lunds kommun" in response.content.decode()
    form_action = re.search(r"form-action ([^;]+)", response["Content-Security-Policy"])[1]
    assert form_action.split() == ["'self'", "https://idp.lund.example"]
    assert "idp.lund.example" not in client.get("/sv/")["Content-Security-Policy"]


def test_discovery_says_when_an_organisation_has_no_provider_or_none_matches(client, lund_provider):
    page = client.get("/sv/konto/organisation/", {"q": "Malmö"}).content.decode()
    assert "Malmö" in page and "har ännu ingen egen inloggning" in page
    page = client.get("/sv/konto/organisation/", {"q": "Atlantis"}).content.decode()
    assert "Ingen organisation matchar" in page
    lund_provider.enabled = False
    lund_provider.save()
    assert (
        "Lunds kommun" not in client.get("/sv/konto/organisation/", {"q": "Lund"}).content.decode()
    )


def test_discovery_refuses_bad_input_clearly(client, lund_provider):
    response = client.get("/sv/konto/organisation/", {"q": "x" * 101})
    assert response.status_code == 200
    assert "field__errors" in response.content.decode()
    assert "Organisationer som hittades" not in response.content.decode()
    outside = client.get("/sv/konto/organisation/", {"q": "Lund", "next": "https://evil.example/"})
    assert 'name="next" value="/sv/"' in outside.content.decode()  # not the other site
    assert client.post("/sv/konto/organisation/").status_code == 405


def test_a_provider_places_people_only_in_organisations_it_serves(lund_provider):
    from elearning.federation.services import FederationError, organisation_for

    assert organisation_for(provider=lund_provider, claims={"municipalityCode": "1281"}).name == (
        "Lund"
    )
    for claims in ({"municipalityCode": "1280"}, {"municipalityCode": ""}, {}):
        with pytest.raises(FederationError):
            organisation_for(provider=lund_provider, claims=claims)
