"""Signing in with a real SAML 2.0 identity provider (pysaml2, started by the test run) in
Chromium: discovery, just-in-time provisioning into the organisation the IdP names, single
sign-out, and answers that must be refused -- altered after signing, expired, replayed."""

import base64
import re

import pytest

from elearning.accounts.models import SignInEvent
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def _start(page, live_server, *, search="Malmö", language="sv"):
    path = "/sv/konto/organisation/" if language == "sv" else "/en/account/organisation/"
    page.goto(live_server.url + path)
    field = "Din organisation" if language == "sv" else "Your organisation"
    page.get_by_label(field).fill(search)
    page.get_by_role("button", name="Sök" if language == "sv" else "Find").click()
    name = "Logga in med Skånes kommuner" if language == "sv" else "Sign in with Skånes kommuner"
    page.get_by_role("button", name=name).click()
    page.wait_for_url("http://127.0.0.1:*/sso/redirect*")


def _at_idp(page, *, user="anna", mode="normal") -> str:
    """Signs in at the IdP; returns the SAMLResponse it posts back, before posting it."""
    page.get_by_label(SAML_LABELS[user]).check()
    page.get_by_label("Answer").select_option(mode)
    page.get_by_role("button", name="Sign in at the IdP").click()
    response = page.locator("input[name=SAMLResponse]").get_attribute("value")
    page.get_by_role("button", name="Continue to the service").click()
    return response


SAML_LABELS = {
    "anna": "anna.lind@malmo.example",
    "erik": "erik.berg@lund.example",
    "olle": "olle@nowhere.example",
    "elsa": "elsa",  # e-ID: no address, the IdP's page shows the user id
    "nils": "nils",
}


def test_discovery_sign_in_provisions_into_the_organisation_and_signs_out_everywhere(
    page, live_server, saml_provider, saml_idp
):
    from elearning.accounts.models import User

    _start(page, live_server)
    _at_idp(page, user="anna")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Anna Lind").first.is_visible()
    anna = User.objects.get(email="anna.lind@malmo.example")
    assert (anna.first_name, anna.last_name) == ("Anna", "Lind")
    assert anna.organisation.name == "Malmö"
    assert not anna.has_usable_password()
    assert anna.is_verified  # the IdP vouched for the address: counts in reports
    assert anna.socialaccount_set.get().provider == "saml"
    assert anna.preferred_language == "sv"

    # Erik's IdP attribute says Lund: he lands in Lund, not in the provider's first
    # organisation. (A fresh browser session: the IdP keeps none of its own here.)
    page.context.clear_cookies()
    _start(page, live_server, search="Lund")
    _at_idp(page, user="erik")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert User.objects.get(email="erik.berg@lund.example").organisation.name == "Lund"

    # Single sign-out: signing out here ends the IdP's session too, and comes back.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Logga in").first.is_visible()
    sign_outs = [e for e in saml_idp.events() if e["event"] == "sign-out"]
    assert sign_outs and sign_outs[-1]["name_id"] == "persistent-erik"

    # Both sign-ins are in the sign-in log, with the provider as the method.
    log = SignInEvent.objects.order_by("at")
    assert [(e.outcome, e.user.email, e.method) for e in log] == [
        ("succeeded", "anna.lind@malmo.example", "socialaccount:saml"),
        ("succeeded", "erik.berg@lund.example", "socialaccount:saml"),
    ]


def test_an_organisation_the_provider_does_not_serve_is_refused(page, live_server, saml_provider):
    from elearning.accounts.models import User

    _start(page, live_server)
    _at_idp(page, user="olle")  # municipality code 0114: not Malmö or Lund
    assert page.get_by_role("heading", name="Inloggningen nekades").is_visible()
    assert "inte en som den här identitetsleverantören" in page.get_by_role("alert").inner_text()
    assert not User.objects.filter(email="olle@nowhere.example").exists()


def test_altered_expired_and_replayed_answers_are_refused_with_the_reason(
    page, live_server, saml_provider
):
    from elearning.accounts.models import User

    _start(page, live_server)
    _at_idp(page, mode="tampered")
    alert = page.get_by_role("alert")
    assert "signaturen stämmer inte" in alert.inner_text()
    assert_accessible(page)

    _start(page, live_server)
    _at_idp(page, mode="expired")
    assert "hade gått ut" in page.get_by_role("alert").inner_text()
    assert not User.objects.filter(email="anna.lind@malmo.example").exists()

    # A good answer, used once; posted again it is refused, signed in or not.
    _start(page, live_server)
    answer = _at_idp(page)
    page.wait_for_url(f"{live_server.url}/sv/")
    acs = f"{live_server.url}/federation/saml/{saml_provider.slug}/acs/"
    page.context.clear_cookies()
    page.set_content(
        f'<form method="post" action="{acs}"><input type="hidden" name="SAMLResponse"'
        f' value="{answer}"><button>again</button></form>'
    )
    page.get_by_role("button", name="again").click()
    # A browser that never started a sign-in here: the page speaks its language (English).
    assert page.get_by_role("heading", name="Sign-in refused").is_visible()
    assert "already been used" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("link", name="Sign in").first.is_visible()  # nobody signed in
    assert_accessible(page)
    assert b"anna.lind@malmo.example" in base64.b64decode(answer)

    # Every refusal is in the sign-in log with its reason; the one good answer signed in.
    log = SignInEvent.objects.order_by("at")
    assert [(e.outcome, e.method) for e in log] == [
        ("failed", "socialaccount:saml refused:signature"),
        ("failed", "socialaccount:saml refused:expired"),
        ("succeeded", "socialaccount:saml"),
        ("failed", "socialaccount:saml refused:replayed"),
    ]


def test_an_e_id_without_an_address_asks_for_one_and_confirms_it_by_mail(
    page, live_server, saml_provider, mail_in_process
):
    """Sweden Connect's e-ID releases no e-mail address: the person gives one, gets a link,
    and the account (in the organisation the provider named) is usable once it is opened."""
    from elearning.accounts.models import User

    _start(page, live_server)
    _at_idp(page, user="elsa")
    assert page.get_by_role("heading", level=1, name="Din e-postadress").is_visible()
    assert "skickade ingen e-postadress" in page.locator("main").inner_text()
    assert_accessible(page)

    # A bad address is refused in words, and nothing is created.
    page.get_by_label("E-postadress").fill("elsa@")
    page.get_by_role("button", name="Skicka länken").click()
    assert page.get_by_role("alert").is_visible()
    assert not User.objects.filter(first_name="Elsa").exists()

    page.get_by_label("E-postadress").fill("Elsa.Eid@Malmo.se")
    page.get_by_role("button", name="Skicka länken").click()
    assert "Titta i din e-post" in page.locator("main").inner_text()
    elsa = User.objects.get(email="elsa.eid@malmo.se")
    assert (elsa.first_name, elsa.last_name, elsa.organisation.name) == ("Elsa", "Eid", "Malmö")
    assert elsa.preferred_language == "sv"  # the language she began in: the mail's too
    assert not elsa.is_verified  # she typed the address: not vouched for by the provider
    assert page.get_by_role("link", name="Logga in").first.is_visible()  # not signed in yet

    [message] = [m for m in mail_in_process if m.to == ["elsa.eid@malmo.se"]]
    link = re.search(r"https?://\S+/konto/e-post/bekrafta/\S+/", message.body).group(0)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.get_by_role("button", name="Bekräfta").click()
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Elsa Eid").first.is_visible()
    elsa.refresh_from_db()
    assert elsa.is_verified
    assert elsa.socialaccount_set.get().provider == "saml"

    # The address step in English, for a sign-in begun on the English site.
    page.context.clear_cookies()
    _start(page, live_server, search="Lund", language="en")
    _at_idp(page, user="nils")
    assert page.get_by_role("heading", level=1, name="Your e-mail address").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)


def test_signing_out_at_the_identity_provider_signs_out_here_too(
    page, live_server, saml_provider, saml_idp
):
    """IdP-initiated single sign-out: the IdP sends its signed LogoutRequest through the
    browser; the platform ends the session and answers the IdP with success."""
    _start(page, live_server)
    _at_idp(page, user="anna")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Anna Lind").first.is_visible()

    page.goto(f"{saml_idp.base}/slo/initiate")
    assert page.get_by_role("heading", name="Test IdP: signed out everywhere").is_visible()
    events = [e["event"] for e in saml_idp.events()]
    # Answered with a LogoutResponse (success), not with a sign-out request of our own.
    assert events[-2:] == ["idp-sign-out", "sign-out-answered"]
    assert saml_idp.events()[-1]["status"].endswith(":Success")
    page.goto(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Logga in").first.is_visible()
    assert not page.get_by_role("link", name="Anna Lind").count()


def test_an_encrypted_assertion_signs_in_and_a_clear_one_is_then_refused(
    page, live_server, saml_provider, settings
):
    """With FEDERATION_SAML_WANT_ASSERTIONS_ENCRYPTED (Sweden Connect's framework), the SP's
    metadata names its encryption key, an assertion encrypted to it signs in, and one sent in
    the clear is refused."""
    from elearning.accounts.models import User

    settings.FEDERATION_SAML_WANT_ASSERTIONS_ENCRYPTED = True
    _start(page, live_server)
    answer = _at_idp(page, user="anna", mode="encrypted")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Anna Lind").first.is_visible()
    sent = base64.b64decode(answer)
    assert b"EncryptedAssertion" in sent and b"anna.lind@malmo.example" not in sent

    page.context.clear_cookies()
    _start(page, live_server, search="Lund")
    _at_idp(page, user="erik", mode="normal")
    assert page.get_by_role("heading", name="Inloggningen nekades").is_visible()
    assert not User.objects.filter(email="erik.berg@lund.example").exists()
