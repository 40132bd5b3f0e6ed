"""Signing in with an e-mail address, signing out, and who may enter the authoring admin."""

import pytest
from django.urls import reverse
from django.utils import translation

from elearning.accounts import roles


def url(name, language="sv"):
    with translation.override(language):
        return reverse(name)


def test_sign_in_with_email_goes_to_the_preferred_language(client, make_user):
    make_user(email="anna@region.se", preferred_language="en")
    response = client.post(
        url("accounts:login"), {"login": "anna@region.se", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_a_wrong_password_is_refused_with_a_message(client, make_user):
    make_user(email="anna@region.se")
    response = client.post(url("accounts:login"), {"login": "anna@region.se", "password": "x"})
    assert response.status_code == 200
    assert "E-postadressen eller lösenordet är fel." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unconfirmed_address_cannot_sign_in_and_gets_a_new_link(
    client, make_user, mail_in_process, django_capture_on_commit_callbacks
):
    make_user(email="anna@region.se", verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("accounts:login"), {"login": "anna@region.se", "password": "a-long-test-password"}
        )
    assert response["Location"] == url("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    [message] = mail_in_process
    assert message.to == ["anna@region.se"] and "/sv/konto/e-post/bekrafta/" in message.body


def test_sign_in_follows_a_safe_next_only(client, make_user):
    make_user(email="anna@region.se")
    credentials = {"login": "anna@region.se", "password": "a-long-test-password"}
    response = client.post(url("accounts:login"), {**credentials, "next": "/sv/kurser/"})
    assert response["Location"] == "/sv/kurser/"
    client.logout()
    response = client.post(url("accounts:login"), {**credentials, "next": "https://evil.example/"})
    assert response["Location"] == "/sv/"


def test_sign_out_needs_a_post(client, make_user):
    client.force_login(make_user())
    page = client.get(url("accounts:logout"))  # asks, signs nobody out
    assert page.status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post(url("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("group", "can_author"),
    [
        (roles.LEARNERS, False),
        (roles.MANAGERS, False),
        (roles.AUTHORS, True),
        (roles.ADMINISTRATORS, True),
    ],
)
def test_only_authors_and_administrators_enter_the_admin(client, make_user, group, can_author):
    from django.contrib.auth.models import Group

    user = make_user()
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    response = client.get("/admin/")
    assert (response.status_code == 200) is can_author
    if not can_author:
        assert response.status_code == 302


def test_role_groups_have_their_permissions(site):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    managers = Group.objects.get(name=roles.MANAGERS)
    assert managers.permissions.filter(codename="view_reports").exists()
    authors = Group.objects.get(name=roles.AUTHORS)
    page_permissions = set(
        GroupPagePermission.objects.filter(group=authors).values_list(
            "permission__codename", flat=True
        )
    )
    assert page_permissions == {"add_page", "change_page"}  # publishing goes through review
    assert not Group.objects.get(name=roles.LEARNERS).permissions.exists()


def test_setting_up_twice_changes_nothing(site):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission, Page

    from elearning.core.services import site_setup

    counts = (Group.objects.count(), GroupPagePermission.objects.count(), Page.objects.count())
    site_setup()
    assert (
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        Page.objects.count(),
    ) == counts
