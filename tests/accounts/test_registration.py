"""Signing up: a clear message in the current language for every bad input, and nothing created."""

import pytest
from django.urls import reverse
from django.utils import translation

from elearning.accounts.models import User
from elearning.accounts.roles import LEARNERS
from elearning.organisations.models import Organisation

PASSWORD = "Hälsa-för-alla-2048"


def register_url(language):
    with translation.override(language):
        return reverse("accounts:register")


@pytest.fixture
def valid(site):
    return {
        "first_name": "Kim",
        "last_name": "Strateg",
        "email": "Kim.Strateg@Lund.se",
        "organisation": Organisation.objects.get(kind="municipality", code="1281").pk,
        "role_category": "official",
        "preferred_language": "sv",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_the_address_is_translated():
    assert register_url("sv") == "/sv/konto/registrera/"
    assert register_url("en") == "/en/account/register/"


def test_registering_creates_a_learner_and_signs_in(client, valid):
    response = client.post(register_url("sv"), valid)
    assert response.status_code == 302
    assert response["Location"] == "/sv/"
    user = User.objects.get()
    assert user.email == "kim.strateg@lund.se"
    assert user.organisation.name == "Lund"
    assert user.get_full_name() == "Kim Strateg"
    assert list(user.groups.values_list("name", flat=True)) == [LEARNERS]
    home = client.get("/sv/")
    assert "Kim Strateg" in home.content.decode()
    assert "Välkommen! Ditt konto är skapat." in home.content.decode()


def test_registering_in_english_takes_the_learner_to_english_pages(client, valid):
    valid["preferred_language"] = "en"
    response = client.post(register_url("en"), valid)
    assert response["Location"] == "/en/"


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


def test_an_existing_address_is_refused_whatever_its_case(client, valid, make_user):
    make_user(email="kim.strateg@lund.se")
    response = client.post(register_url("sv"), valid)
    assert "Det finns redan ett konto med den här e-postadressen." in response.content.decode()
    assert User.objects.count() == 1


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
