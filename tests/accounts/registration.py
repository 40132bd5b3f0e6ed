"""The registration form as a person fills it in, for the account tests."""

PASSWORD = "Hälsa-för-alla-2048"


def registration_data(**changes) -> dict:
    """A valid registration (Kim Strateg, an official of Lund), with ``changes``."""
    from elearning.organisations.models import Organisation

    return {
        "first_name": "Kim",
        "last_name": "Strateg",
        "email": "Kim.Strateg@Lund.se",
        "organisation": Organisation.objects.get(kind="municipality", code="1281").pk,
        "role_category": "official",
        "preferred_language": "sv",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }
