"""Linking an organisation's account to an existing local account (Chromium, the real OpenID
Connect provider): never because the addresses match, only from inside the local account,
whose address its owner has confirmed."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def _provider_sign_in(page, *, button):
    page.get_by_role("button", name=button).click()
    page.wait_for_url("http://127.0.0.1:*/authorize*")
    page.get_by_label("lena@example.org").check()
    page.get_by_role("button", name="Sign in at the provider").click()


def test_an_existing_account_is_linked_only_after_signing_in_to_it(
    page, live_server, oidc_provider_row, make_user
):
    from elearning.accounts.models import User

    lena = make_user(email="lena@example.org", first_name="Lena", last_name="Lokal")
    assert lena.is_verified

    # Same address at the provider: refused, with the way to link; nothing linked.
    page.goto(live_server.url + "/en/account/organisation/?q=Region+Sk%C3%A5ne")
    _provider_sign_in(page, button="Sign in with Region Skåne")
    assert page.get_by_role("heading", name="You already have an account").is_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/sv/konto/organisation/?q=Region+Sk%C3%A5ne")
    _provider_sign_in(page, button="Logga in med Region Skåne")
    assert page.get_by_role("heading", name="Du har redan ett konto").is_visible()
    assert not lena.socialaccount_set.exists()
    assert page.get_by_role("link", name="Logga in").first.is_visible()
    assert_accessible(page)

    # Signed in to the account with its password, the person links it.
    page.get_by_role("link", name="Logga in på ditt konto").click()
    page.get_by_label("E-postadress").fill("lena@example.org")
    page.get_by_label("Lösenord").fill("a-long-test-password")
    page.get_by_role("button", name="Logga in").last.click()
    page.wait_for_url(f"{live_server.url}/sv/konto/organisation/")
    page.get_by_label("Din organisation").fill("Region Skåne")
    page.get_by_role("button", name="Sök").click()
    _provider_sign_in(page, button="Koppla ditt konto till Region Skåne")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert lena.socialaccount_set.get().uid == "sub-lena"

    # From now on the provider signs her in to that same account.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server.url}/sv/")
    page.goto(live_server.url + "/sv/konto/organisation/?q=Region+Sk%C3%A5ne")
    _provider_sign_in(page, button="Logga in med Region Skåne")
    page.wait_for_url(f"{live_server.url}/sv/")
    assert page.get_by_role("link", name="Lena Lokal").first.is_visible()
    assert User.objects.filter(email="lena@example.org").count() == 1


def test_an_account_whose_address_is_not_confirmed_cannot_link(
    page, live_server, oidc_provider_row, make_user
):
    from django.test import Client

    lena = make_user(email="lena@example.org", verified_at=None)
    assert not lena.is_verified
    # allauth will not sign an unconfirmed account in, so sign it in directly, as a session
    # left over from before confirmation would be.
    browser_client = Client()
    browser_client.force_login(lena)
    cookie = browser_client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + "/en/account/organisation/?q=Region+Sk%C3%A5ne")
    _provider_sign_in(page, button="Link your account with Region Skåne")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Confirm your account's e-mail address" in page.get_by_role("alert").inner_text()
    assert not lena.socialaccount_set.exists()
    assert_accessible(page)
