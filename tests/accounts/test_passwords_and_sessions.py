"""The password policy (length, common passwords, not like the name or address, not the site's
words with digits), sessions ended on a password change, and the sign-in log with its
retention and its admin page."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from elearning.accounts.models import SignInEvent, User
from elearning.accounts.signins import sign_in_log_prune
from elearning.organisations.models import Organisation

PASSWORD = "a-long-test-password"


def url(name, language="sv"):
    with translation.override(language):
        return reverse(name)


def refused(password, **user) -> list[str]:
    try:
        validate_password(password, user=User(**user) if user else None)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "user", "code"),
    [
        ("Folkhalsa2026", {}, "password_word_and_digits"),  # 13 characters
        ("Folkhälsa-2026!", {}, "password_word_and_digits"),
        ("Region2024Kommun", {}, "password_word_and_digits"),
        ("sunshine-1234567", {}, "password_word_and_digits"),  # common word + digits
        ("Sommar-20", {}, "password_too_short"),
        ("Kim-Strateg-99", {"first_name": "Kim", "last_name": "Strateg"}, "password_too_similar"),
        ("kim.strateg@lund", {"email": "kim.strateg@lund.se"}, "password_too_similar"),
        ("123456789012", {}, "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, user, code):
    assert code in refused(password, **user)


@pytest.mark.parametrize(
    "password", ["Jämlik-hälsa-2048", "tre gröna äpplen i Kiruna", "Hälsa-för-alla-2048"]
)
def test_passphrases_pass(password):
    assert refused(password, first_name="Kim", last_name="Strateg", email="kim@lund.se") == []


def test_registration_refuses_a_password_like_the_name_with_a_message(client, site):
    data = {
        "first_name": "Kim",
        "last_name": "Strateg",
        "email": "kim@lund.se",
        "organisation": Organisation.objects.get(kind="municipality", code="1281").pk,
        "role_category": "official",
        "preferred_language": "sv",
        "password1": "KimStrateg2026",
        "password2": "KimStrateg2026",
    }
    response = client.post(url("account_signup"), data)
    assert response.status_code == 200
    assert "Lösenordet är byggt av ditt namn eller din e-postadress." in response.content.decode()
    response = client.post(
        url("account_signup"), {**data, "password1": "Folkhalsa2026", "password2": "Folkhalsa2026"}
    )
    assert "Lösenordet är ett vanligt ord med siffror eller tecken tillagda." in (
        response.content.decode()
    )
    assert not User.objects.exists()


def test_changing_the_password_ends_the_other_sessions_only(make_user):
    user = make_user(email="anna@region.se")
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(url("account_login"), {"login": user.email, "password": PASSWORD})
        assert client.get(url("accounts:my_data")).status_code == 200
    response = here.post(
        url("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "Tre-gröna-äpplen-2048",
            "password2": "Tre-gröna-äpplen-2048",
        },
    )
    assert response.status_code == 302
    assert here.get(url("accounts:my_data")).status_code == 200
    away = elsewhere.get(url("accounts:my_data"))
    assert away.status_code == 302 and away["Location"].startswith(url("account_login"))


def test_the_sign_in_log_records_successes_and_failures_with_method_and_address(client, make_user):
    user = make_user(email="anna@region.se")
    client.post(url("account_login"), {"login": "ANNA@region.se", "password": "nope-nope-nope"})
    client.post(url("account_login"), {"login": "okand@region.se", "password": "nope-nope-nope"})
    client.post(url("account_login"), {"login": "anna@region.se", "password": PASSWORD})
    rows = list(
        SignInEvent.objects.order_by("at").values_list(
            "outcome", "user", "typed_address", "client_address", "method"
        )
    )
    assert rows == [
        ("failed", user.pk, "anna@region.se", "127.0.0.1", "password"),
        ("failed", None, "okand@region.se", "127.0.0.1", "password"),
        ("succeeded", user.pk, "anna@region.se", "127.0.0.1", "password"),
    ]


def test_the_sign_in_log_is_kept_for_its_retention_period(site, settings):
    settings.SIGN_IN_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    for days in (31, 29):
        SignInEvent.objects.create(at=now - timedelta(days=days), outcome="failed")
    assert sign_in_log_prune(now=now) == 1
    assert SignInEvent.objects.get().at == now - timedelta(days=29)


def test_administrators_read_the_sign_in_log_and_nobody_edits_it(client, make_user):
    from django.contrib.auth.models import Group

    from elearning.accounts import roles

    SignInEvent.objects.create(
        at=timezone.now(), outcome="failed", typed_address="okand@region.se", method="password"
    )
    administrator = make_user(email="admin@region.se")
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    manager = make_user(email="manager@region.se")
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    superuser = make_user(email="super@region.se", is_superuser=True)

    client.force_login(administrator)
    page = client.get("/admin/sign-in-log/")
    assert page.status_code == 200
    assert "okand@region.se" in page.content.decode()
    assert client.get("/admin/sign-in-log/?q=okand").status_code == 200
    for who in (administrator, superuser):
        client.force_login(who)
        assert client.get("/admin/sign-in-log/new/").status_code in (302, 403)
        event = SignInEvent.objects.get()
        assert client.post(f"/admin/sign-in-log/delete/{event.pk}/").status_code in (302, 403)
        assert SignInEvent.objects.exists()
    client.force_login(manager)
    assert client.get("/admin/sign-in-log/").status_code in (302, 403)
