"""Signing in with a real OpenID Connect provider (a second process started by the test run) in
Chromium: discovery, provisioning into the provider's fixed organisation, RP-initiated logout,
and ID tokens that must be refused -- bad signature, wrong audience or issuer, expired, an
earlier sign-in's nonce -- and a callback used twice."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def _start(page, live_server, *, language="sv"):
    if language == "sv":
        page.goto(live_server.url + "/sv/konto/organisation/")
        page.get_by_label("Din organisation").fill("Region Skåne")
        page.get_by_role("button", name="Sök").click()
        page.get_by_role("button", name="Logga in med Region Skåne").click()
    else:
        page.goto(live_server.url + "/en/account/organisation/")
        page.get_by_label("Your organisation").fill("Region Skåne")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("button", name="Sign in with Region Skåne").click()
    page.wait_for_url("http://127.0.0.1:*/authorize*")


def _at_provider(page, *, user="sara.holm@skane.example", mode="normal"):
    page.get_by_label(user).check()
    page.get_by_label("ID token").select_option(mode)
    with page.expect_request("**/login/callback/**") as callback:
        page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_load_state()
    return callback.value.url


def test_sign_in_provisions_into_the_fixed_organisation_and_signs_out_at_the_provider(
    page, live_server, oidc_provider_row, oidc_provider
):
    from elearning.accounts.models import User

    _start(page, live_server, language="en")
    _at_provider(page)
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.get_by_role("link", name="Sara Holm").first.is_visible()
    sara = User.objects.get(email="sara.holm@skane.example")
    assert sara.organisation.name == "Region Skåne"
    assert sara.preferred_language == "en"
    assert sara.emailaddress_set.get().verified
    assert sara.is_verified

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.get_by_role("link", name="Sign in").first.is_visible()
    assert oidc_provider.events()[-1] == {"event": "sign-out", "client_id": "folkhalsa-test"}

    # Signing in again finds the same account (no second one).
    _start(page, live_server)
    _at_provider(page)
    page.wait_for_url(f"{live_server.url}/sv/")
    assert User.objects.filter(email="sara.holm@skane.example").count() == 1


REFUSALS = [
    ("bad-signature", "signaturen stämmer inte"),
    ("wrong-audience", "avsett för en annan tjänst"),
    ("wrong-issuer", "annan utfärdare"),
    ("expired", "hade gått ut"),
    ("old-nonce", "redan använts"),
]


def test_forged_expired_and_replayed_tokens_are_refused_with_the_reason(
    page, live_server, oidc_provider_row
):
    from elearning.accounts.models import User

    for mode, reason in REFUSALS:
        _start(page, live_server)
        _at_provider(page, mode=mode)
        assert page.get_by_role("heading", name="Inloggningen nekades").is_visible(), mode
        assert reason in page.get_by_role("alert").inner_text(), mode
        assert page.get_by_role("link", name="Logga in").first.is_visible(), mode
    assert_accessible(page)
    assert not User.objects.filter(email="sara.holm@skane.example").exists()

    # A good sign-in's callback, opened again: its state is used up.
    _start(page, live_server)
    callback = _at_provider(page)
    page.wait_for_url(f"{live_server.url}/sv/")
    page.goto(callback)
    assert page.get_by_role("heading", name="Inloggningen nekades").is_visible()
    assert "redan använts" in page.get_by_role("alert").inner_text()
