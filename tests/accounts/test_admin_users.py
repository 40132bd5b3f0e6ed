"""Administrators manage users, with organisation and role, in Wagtail's user admin."""

from django.contrib.auth.models import Group

from elearning.accounts import roles
from elearning.accounts.models import User
from elearning.organisations.models import Organisation


def test_an_administrator_creates_a_manager_with_organisations(client, make_user):
    admin = make_user(email="admin@example.org", is_superuser=True)
    client.force_login(admin)
    form = client.get("/admin/users/new/")
    assert form.status_code == 200
    assert 'name="managed_organisations"' in form.content.decode()

    malmo = Organisation.objects.get(kind="municipality", code="1280")
    region = Organisation.objects.get(kind="region", code="12")
    response = client.post(
        "/admin/users/new/",
        {
            "email": "ny.samordnare@skane.se",
            "first_name": "Nils",
            "last_name": "Samordnare",
            "password1": "Region-Skåne-2048",
            "password2": "Region-Skåne-2048",
            "preferred_language": "sv",
            "organisation": region.pk,
            "role_category": "manager",
            "managed_organisations": [malmo.pk, region.pk],
            "groups": [Group.objects.get(name=roles.MANAGERS).pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    manager = User.objects.get(email="ny.samordnare@skane.se")
    assert manager.organisation == region
    assert set(manager.managed_organisations.all()) == {malmo, region}
    assert manager.has_perm("accounts.view_reports")


def test_the_edit_form_shows_the_profile_fields(client, make_user):
    client.force_login(make_user(email="admin@example.org", is_superuser=True))
    learner = make_user(email="learner@example.org")
    body = client.get(f"/admin/users/edit/{learner.pk}/").content.decode()
    assert 'name="organisation"' in body
    assert 'name="role_category"' in body


def test_an_author_cannot_manage_users(client, make_user):
    author = make_user(email="author@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    client.force_login(author)
    response = client.get("/admin/users/new/")
    assert response.status_code == 302  # Wagtail sends people without permission away
    assert not User.objects.filter(email="x@example.org").exists()
