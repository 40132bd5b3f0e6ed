"""Throttling and lockout on every form that takes an address (sign-in, password reset,
registration), on the site and on the Wagtail admin's sign-in address, keyed on the typed
address and on the client address seen through the trusted proxy; and the same answers for
known and unknown addresses."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from elearning.accounts.models import SignInEvent, User
from elearning.organisations.models import Organisation

PASSWORD = "a-long-test-password"
LOCKED = "För många misslyckade inloggningsförsök på det här kontot."
WRONG = "E-postadressen eller lösenordet är fel."


def url(name, language="sv"):
    with translation.override(language):
        return reverse(name)


def sign_in(client, address, password, **extra):
    return client.post(url("account_login"), {"login": address, "password": password}, **extra)


@pytest.mark.parametrize("known", [True, False])
def test_five_wrong_passwords_lock_the_address_known_or_not(client, make_user, known):
    """The sixth attempt is refused even with the right password, and an unknown address
    locks exactly like a known one (nothing tells them apart)."""
    if known:
        make_user(email="anna@region.se")
    for _ in range(5):
        response = sign_in(client, "anna@region.se", "wrong-password-123")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    response = sign_in(client, "anna@region.se", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in body and 'role="alert"' in body
    assert "_auth_user_id" not in client.session
    assert list(SignInEvent.objects.values_list("outcome", flat=True).order_by("at")) == [
        "failed"
    ] * 5 + ["throttled"]
    # Another address from the same client is not locked by it.
    make_user(email="bo@region.se")
    assert sign_in(client, "bo@region.se", PASSWORD).status_code == 302


def test_lockout_holds_from_another_client_address(make_user):
    make_user(email="anna@region.se")
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        sign_in(attacker, "anna@region.se", "wrong-password-123")
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert LOCKED in sign_in(owner, "anna@region.se", PASSWORD).content.decode()


def test_a_client_guessing_many_addresses_is_stopped_by_its_address(client, make_user, settings):
    """Ten wrong sign-ins a minute from one client address, whatever the accounts; behind
    the trusted proxy the address is the one the proxy saw, not the proxy's."""
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="anna@region.se")
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for number in range(10):
        response = sign_in(client, f"person{number}@region.se", "wrong-password-123", **attacker)
        assert WRONG in response.content.decode()
    response = sign_in(client, "anna@region.se", PASSWORD, **attacker)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A forged left-most entry does not give a fresh address: the proxy's entry counts.
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"}
    assert LOCKED in sign_in(client, "anna@region.se", PASSWORD, **forged).content.decode()
    # Someone else behind the same proxy signs in.
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert sign_in(Client(), "anna@region.se", PASSWORD, **other).status_code == 302
    assert set(SignInEvent.objects.values_list("client_address", flat=True)) == {
        "203.0.113.5",
        "198.51.100.20",
    }


def test_thirty_sign_in_posts_a_minute_from_one_address_get_429(client, site):
    for _ in range(30):
        assert sign_in(client, "x@region.se", "").status_code == 200  # empty password: invalid
    response = sign_in(client, "x@region.se", "")
    assert response.status_code == 429
    assert "För många försök" in response.content.decode()


@pytest.mark.parametrize("known", [True, False])
def test_password_reset_answers_the_same_and_is_throttled_per_address(
    client, make_user, known, mail_in_process, django_capture_on_commit_callbacks
):
    if known:
        make_user(email="anna@region.se")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("account_reset_password"), {"email": "anna@region.se"})
        assert response.status_code == 302
        assert response["Location"] == url("account_reset_password_done")
    assert len(mail_in_process) == 3
    if known:
        assert "väljer du ett nytt lösenord här:" in mail_in_process[0].body
        assert "/sv/konto/losenord/aterstall/nyckel/" in mail_in_process[0].body
    else:
        assert "det finns inget konto med den adressen" in mail_in_process[0].body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("account_reset_password"), {"email": "anna@region.se"})
    assert response.status_code == 429
    assert len(mail_in_process) == 3


def test_registration_is_throttled_per_client_address(client, site):
    organisation = Organisation.objects.get(kind="municipality", code="1281").pk
    data = {
        "first_name": "Kim",
        "last_name": "Strateg",
        "organisation": organisation,
        "role_category": "official",
        "preferred_language": "sv",
        "password1": "Hälsa-för-alla-2048",
        "password2": "Hälsa-för-alla-2048",
    }
    for number in range(10):
        response = client.post(url("account_signup"), {**data, "email": f"kim{number}@lund.se"})
        assert response.status_code == 302
    response = client.post(url("account_signup"), {**data, "email": "kim10@lund.se"})
    assert response.status_code == 429
    assert User.objects.count() == 10


def test_the_admin_sign_in_address_leads_to_the_site_sign_in_and_checks_nothing(client, make_user):
    admin = make_user(email="admin@region.se", is_superuser=True, is_staff=True)
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/sv/konto/logga-in/?next=%2Fadmin%2Fpages%2F"
    # Wagtail's own form is gone: a POST of the right password signs nobody in, thirty
    # wrong ones get no ordinary answer either.
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/sv/konto/logga-in/?next=")
    # Through the site's form the admin's address locks like any other.
    for _ in range(5):
        sign_in(client, admin.email, "wrong-password-123")
    assert LOCKED in sign_in(client, admin.email, PASSWORD).content.decode()
    # Wagtail's own reset is off.
    assert client.get("/admin/password_reset/", follow=True).status_code == 404
