"""Second factor (allauth.mfa, TOTP with recovery codes): every staff role must set it up
before it reaches the Wagtail admin or the reports, and gives a code at every sign-in after;
learners may turn it on. The codes are computed here from the secret (RFC 6238)."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from elearning.accounts import roles
from elearning.accounts.models import SignInEvent

PASSWORD = "a-long-test-password"


def totp(secret: str, at: float | None = None) -> str:
    """The six-digit code of a base32 ``secret`` for the 30-second step of ``at`` (now)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_step() -> None:
    """Wait for the next 30-second step when this one is about to end, so that a code
    computed now is still the current one when the server checks it."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)


def url(name, language="sv"):
    with translation.override(language):
        return reverse(name)


def open_activation(client, location="") -> object:
    """The TOTP set-up page: allauth first asks for the password again (a fresh proof)."""
    response = client.get(location or url("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("account_reauthenticate") + "?next=")
    page = client.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert page.redirect_chain[-1][0].startswith(url("mfa_activate_totp"))
    return page


def sign_in(client, email):
    return client.post(url("account_login"), {"login": email, "password": PASSWORD})


# What each role reaches only with a second factor.
PROTECTED = {
    roles.AUTHORS: "/admin/",
    roles.REVIEWERS: "/admin/",
    roles.ADMINISTRATORS: "/admin/",
    roles.MANAGERS: "/sv/rapporter/",
}


@pytest.fixture
def required(settings):
    settings.STAFF_MFA_REQUIRED = True  # off in the test settings for other features' tests


@pytest.mark.parametrize("role", list(PROTECTED))
def test_each_staff_role_sets_up_totp_before_reaching_its_pages(client, make_user, required, role):
    user = make_user(email="staff@region.se")
    user.groups.add(Group.objects.get(name=role))
    target = PROTECTED[role]
    assert sign_in(client, user.email).status_code == 302

    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(url("mfa_activate_totp") + "?next=")
    page = open_activation(client, response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Skanna QR-koden" in body and "<svg" in body
    secret = page.context["form"].secret

    # A wrong code sets up nothing.
    wrong = client.post(url("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    assert client.get(target).status_code == 302

    fresh_step()
    activated = client.post(url("mfa_activate_totp"), {"code": totp(secret)})
    assert activated.status_code == 302
    codes = client.get(url("mfa_view_recovery_codes")).context["unused_codes"]
    assert len(codes) == 10
    assert client.get(target).status_code == 200

    # Next time: password, then the code; a recovery code works once.
    client.post(url("account_logout"))
    response = sign_in(client, user.email)
    assert response["Location"] == url("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    refused = client.post(url("mfa_authenticate"), {"code": "123456"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(url("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(target).status_code == 200
    log = list(SignInEvent.objects.order_by("at").values_list("outcome", "method"))
    assert log == [
        ("succeeded", "password"),
        ("failed", "mfa"),
        ("succeeded", "password+mfa"),
    ]
    client.post(url("account_logout"))
    sign_in(client, user.email)
    again = client.post(url("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_the_code_from_the_app_signs_in(client, make_user, required):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = make_user(email="granskare@region.se")
    user.groups.add(Group.objects.get(name=roles.REVIEWERS))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    sign_in(client, user.email)
    fresh_step()
    response = client.post(url("mfa_authenticate"), {"code": totp(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_learners_are_not_asked_but_may_turn_it_on(client, make_user, required):
    learner = make_user(email="deltagare@region.se")
    learner.groups.add(Group.objects.get(name=roles.LEARNERS))
    sign_in(client, learner.email)
    assert client.get("/sv/mina-kurser/").status_code == 200
    index = client.get(url("mfa_index"))
    assert index.status_code == 200 and "Tvåstegsverifiering" in index.content.decode()
    secret = open_activation(client).context["form"].secret
    fresh_step()
    assert client.post(url("mfa_activate_totp"), {"code": totp(secret)}).status_code == 302
    client.post(url("account_logout"))
    assert sign_in(client, learner.email)["Location"] == url("mfa_authenticate")
