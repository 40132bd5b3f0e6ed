"""Security keys and passkeys (WebAuthn) as the second factor (issue 16), through allauth's
WebAuthn support, in real Chromium with its virtual authenticator (the DevTools protocol's
WebAuthn domain): added from the two-step page, used at the next sign-in, refused when the
key is not the registered one (the page says so in words), and enough for staff."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from elearning.accounts import roles
from tests.browser.axe import assert_accessible
from tests.browser.checks import SCREENSHOTS
from tests.browser.test_csp import VIOLATION_RECORDER

PASSWORD = "a-long-test-password"


def url(name, language="sv", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def virtual_key(page):
    """A USB security key that answers at once (user present and verified)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def sign_in_with_password(page, base, email):
    page.goto(base + url("account_login"))
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


@pytest.mark.browser
def test_a_key_is_added_then_signs_in_and_a_wrong_key_is_refused_in_words(
    page, live_server, make_user
):
    user = make_user(email="nyckel@example.org")
    # WebAuthn needs a secure context and a domain as relying party: localhost, not 127.0.0.1.
    base = live_server.url.replace("127.0.0.1", "localhost")
    page.add_init_script(VIOLATION_RECORDER)
    cdp, authenticator_id = virtual_key(page)

    sign_in_with_password(page, base, user.email)
    page.goto(base + url("mfa_index"))
    page.get_by_role("link", name="Lägg till en säkerhetsnyckel").click()
    if page.url.startswith(base + url("account_reauthenticate")):
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Bekräfta").click()
    assert_accessible(page)
    page.get_by_label("Nyckelns namn").fill("YubiKey på jobbet")
    page.get_by_role("button", name="Lägg till nyckeln").click()
    # The first second factor: allauth shows the recovery codes made with it.
    page.wait_for_url(base + url("mfa_view_recovery_codes"))
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert str(key) == "YubiKey på jobbet"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1

    page.goto(base + url("mfa_list_webauthn"))
    assert page.get_by_role("cell", name="YubiKey på jobbet", exact=True).is_visible()
    # The same pages in English pass the checks too.
    for name in ("mfa_list_webauthn", "mfa_add_webauthn", "mfa_index"):
        page.goto(base + url(name, "en"))
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)
    page.goto(base + url("mfa_list_webauthn"))
    page.get_by_role("button", name="Logga ut").first.click()

    # Signing in again: password, then the key.
    sign_in_with_password(page, base, user.email)
    page.wait_for_url(base + url("mfa_authenticate"))
    page.get_by_role("button", name="Använd säkerhetsnyckeln").click()
    page.wait_for_url(lambda address: url("mfa_authenticate") not in address)
    page.goto(base + url("mfa_index"))
    assert page.get_by_role("heading", name="Tvåstegsverifiering").is_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None

    # A key without the registered credential: refused, said on the page, still signed out.
    page.get_by_role("button", name="Logga ut").first.click()
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    sign_in_with_password(page, base, user.email)
    page.wait_for_url(base + url("mfa_authenticate"))
    page.get_by_role("button", name="Använd säkerhetsnyckeln").click()
    alert = page.locator("#key-status")
    alert.get_by_text("Säkerhetsnyckeln användes inte").wait_for()
    assert page.evaluate("document.activeElement.id") == "key-status"
    assert_accessible(page)
    # On a phone: no sideways scrolling, the message and both ways on visible.
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "security-key-refused-320.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.url.startswith(base + url("mfa_authenticate"))
    # Not signed in: the account's pages lead back to the second step.
    page.goto(base + url("mfa_index"))
    assert page.url.startswith(base + url("mfa_authenticate"))

    assert page.evaluate("window.__cspViolations || []") == []


@pytest.mark.django_db
def test_a_security_key_is_a_second_factor_enough_for_staff(client, make_user, settings):
    """A manager whose only second factor is a key reaches the reports; without one, they are
    sent to set one up, and that page offers the key as well as the app."""
    settings.STAFF_MFA_REQUIRED = True
    manager = make_user(email="chef@region.se")
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    client.force_login(manager)
    sent = client.get("/sv/rapporter/")
    assert sent.status_code == 302 and sent["Location"].startswith(url("mfa_activate_totp"))

    Authenticator.objects.create(
        user=manager, type=Authenticator.Type.WEBAUTHN, data={"name": "Nyckel"}
    )
    assert client.get("/sv/rapporter/").status_code == 200
