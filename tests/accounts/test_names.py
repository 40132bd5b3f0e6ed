"""A person's name never keeps control characters: not from registration, not from the admin's
user forms, not from Wagtail's own account settings, not from code."""

import pytest
from django.urls import reverse
from django.utils import translation

from elearning.accounts.models import User
from elearning.accounts.names import name_clean
from tests.accounts.registration import registration_data

pytestmark = pytest.mark.django_db

# What an attacker types: a NUL, an escape sequence, a bell, a right-to-left override that
# turns "Anna" into "annA" on the screen, a C1 control, a line break and a line separator.
HOSTILE_FIRST = "\x00An\x1b[31mna\x07\u202e"
HOSTILE_LAST = "Lind\u0085\nqvist\u2028Berg\x7f"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Åsa\tÖberg-Lind", "Åsa Öberg-Lind"),
        ("  Zoë  d\u2019Arc\r\n", "Zoë d\u2019Arc"),
        ("\u2067Ali\u2069", "Ali"),
        ("شیرین\u200cپور", "شیرین\u200cپور"),  # the zero-width non-joiner Persian needs stays
        ("\x00\x01\x1f", ""),
    ],
)
def test_name_clean(typed, stored):
    assert name_clean(typed) == stored


def test_registration_drops_control_characters(client, site):
    with translation.override("sv"):
        url = reverse("accounts:register")
    response = client.post(
        url,
        registration_data(first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST, email="anna@lund.se"),
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("An[31mna", "Lind qvist Berg")


def test_a_name_of_only_control_characters_is_a_missing_name(client, site):
    with translation.override("sv"):
        url = reverse("accounts:register")
    response = client.post(
        url,
        registration_data(first_name="\x00\x1b\u202e", last_name="Lind", email="anna@lund.se"),
    )
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert not User.objects.exists()


def test_the_admin_user_forms_drop_control_characters(client, make_user):
    admin = make_user(email="admin@example.org", is_superuser=True)
    client.force_login(admin)
    learner = make_user(email="kim@example.org")
    response = client.post(
        f"/admin/users/edit/{learner.pk}/",
        {
            "email": "kim@example.org",
            "first_name": HOSTILE_FIRST,
            "last_name": HOSTILE_LAST,
            "preferred_language": "sv",
            "organisation": learner.organisation.pk,
            "role_category": "other",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    learner.refresh_from_db()
    assert (learner.first_name, learner.last_name) == ("An[31mna", "Lind qvist Berg")


def test_names_set_by_code_are_cleaned_on_save(make_user):
    user = make_user(email="code@example.org", first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST)
    user.refresh_from_db()
    assert user.get_full_name() == "An[31mna Lind qvist Berg"


def test_the_certificate_signatory_name_is_cleaned(client, make_user):
    from certificates.models import CertificateBranding

    branding = CertificateBranding.load()
    branding.signatory_name = "Eva\u202eSvensson\x00"
    branding.full_clean()
    assert branding.signatory_name == "EvaSvensson"
