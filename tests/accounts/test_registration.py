"""Signing up (allauth with our form): a clear message in the current language for every bad
input, and nothing created; the account is usable only once its address is confirmed; an
address that already has an account gets the same answer, and its owner a warning."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from elearning.accounts.models import User
from elearning.accounts.roles import LEARNERS
from tests.accounts.registration import registration_data


def register_url(language):
    with translation.override(language):
        return reverse("account_signup")


def confirmation_link(message) -> str:
    pattern = r"https?://\S+/(?:konto/e-post/bekrafta|account/e-mail/confirm)/\S+/"
    return re.search(pattern, message.body).group(0)


@pytest.fixture
def valid(site):
    return registration_data()


def test_the_address_is_translated():
    assert register_url("sv") == "/sv/konto/registrera/"
    assert register_url("en") == "/en/account/register/"
    with translation.override("sv"):
        assert reverse("accounts:register") == "/sv/konto/registrera/"  # the older name


def test_registering_creates_a_learner_who_confirms_the_address_and_is_signed_in(
    client, valid, mail_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url("sv"), valid)
    assert response.status_code == 302
    assert response["Location"] == "/sv/konto/e-post/bekrafta/"
    assert "Titta i din e-post" in client.get(response["Location"]).content.decode()
    user = User.objects.get()
    assert user.email == "kim.strateg@lund.se"
    assert user.organisation.name == "Lund"
    assert user.get_full_name() == "Kim Strateg"
    assert (user.role_category, user.preferred_language) == ("official", "sv")
    assert list(user.groups.values_list("name", flat=True)) == [LEARNERS]
    assert user.verified_at is None
    assert "_auth_user_id" not in client.session  # not before the address is proven

    [message] = mail_in_process
    assert message.to == ["kim.strateg@lund.se"]
    assert message.subject == "Bekräfta din e-postadress hos Folkhälsoakademin"
    link = confirmation_link(message)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert "Bekräfta att kim.strateg@lund.se är din adress." in page.content.decode()
    response = client.post("/" + path)
    assert response["Location"] == "/sv/"
    user.refresh_from_db()
    assert user.verified_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)


def test_registering_in_english_sends_the_mail_in_the_chosen_language(
    client, valid, mail_in_process, django_capture_on_commit_callbacks
):
    valid["preferred_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url("sv"), valid)
    assert response.status_code == 302
    [message] = mail_in_process
    assert message.subject == "Confirm your e-mail address at the Public Health Academy"
    assert "/en/account/e-mail/confirm/" in message.body


@pytest.mark.parametrize(
    ("language", "change", "message"),
    [
        (
            "sv",
            {"email": "kim.strateg"},
            "Ange en giltig e-postadress, till exempel namn@kommun.se.",
        ),
        ("en", {"email": "kim@"}, "Enter a valid e-mail address, such as name@kommun.se."),
        ("sv", {"password2": "Något-annat-2048"}, "De två lösenordsfälten"),
        ("en", {"password2": "Something-else-2048"}, "The two password fields didn"),
        ("sv", {"organisation": "999999"}, "Den organisationen finns inte i vår lista."),
        ("en", {"organisation": "not-a-number"}, "That organisation is not in our list."),
        ("sv", {"organisation": ""}, "Välj din organisation."),
        ("en", {"first_name": ""}, "This field is required."),
        (
            "sv",
            {"password1": "12345678", "password2": "12345678"},
            "Det här lösenordet är för kort",
        ),
        ("en", {"role_category": "king"}, "Select a valid choice."),
    ],
)
def test_bad_input_shows_a_clear_message_and_creates_nothing(
    client, valid, language, change, message
):
    response = client.post(register_url(language), {**valid, **change})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'<html lang="{language}">' in body
    assert 'role="alert"' in body  # the error summary at the top of the form
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_an_existing_address_gets_the_same_answer_and_its_owner_a_warning(
    client, valid, make_user, mail_in_process, django_capture_on_commit_callbacks
):
    """Whether an address has an account never shows on the page: the owner is told by mail."""
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(register_url("sv"), {**valid, "email": "ny.person@lund.se"})
    page_new = client.get(new["Location"]).content.decode().replace("ny.person@lund.se", "X")
    owner = make_user(email="kim.strateg@lund.se", first_name="Kim", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        existing = client.post(register_url("sv"), valid)  # "Kim.Strateg@Lund.se"
    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    page_existing = client.get(existing["Location"]).content.decode()
    assert page_existing.replace("kim.strateg@lund.se", "X") == page_new
    assert User.objects.count() == 2
    owner.refresh_from_db()
    assert owner.first_name == "Kim" and owner.organisation.code == "0180"  # unchanged
    warning = mail_in_process[-1]
    assert warning.to == ["kim.strateg@lund.se"]
    assert warning.subject == (
        "Someone tried to register with your address at the Public Health Academy"
    )
    assert "/en/account/password/reset/" in warning.body


def test_the_organisation_list_is_grouped_by_kind(client, site):
    body = client.get(register_url("sv")).content.decode()
    assert '<optgroup label="Kommun">' in body
    assert '<optgroup label="Länsstyrelse">' in body
    assert ">Region Gotland</option>" in body


def test_the_form_needs_a_csrf_token(valid):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(register_url("sv"), valid)
    assert response.status_code == 403
    assert not User.objects.exists()


def test_no_field_takes_the_focus_past_the_text_or_the_error_summary(client, valid, site):
    """Issue 14 (WCAG 2.4.3): Django's form focused the e-mail field, the third."""
    assert "autofocus" not in client.get(register_url("sv")).content.decode()
    response = client.post(register_url("sv"), {**valid, "email": "fel@"})
    assert 'role="alert"' in response.content.decode()
    assert "autofocus" not in response.content.decode()
    signin = client.post("/sv/konto/logga-in/", {"username": "x@example.org", "password": "y"})
    assert "autofocus" not in signin.content.decode()  # the error summary comes first
    assert "autofocus" in client.get("/sv/konto/logga-in/").content.decode()
