"""Issue 17: the menu's links (Reports, Authoring) are decided in one query, and agree with
Django's own permission check for every kind of person."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearning.accounts.menu import MENU_PERMISSIONS, _menu_permissions
from elearning.accounts.roles import ADMINISTRATORS, AUTHORS, LEARNERS, MANAGERS, REVIEWERS

pytestmark = pytest.mark.django_db


def people(make_user):
    """A person of every kind: each role, a direct permission, a superuser, an inactive
    manager, and nobody's group at all."""
    made = {}
    for number, role in enumerate((LEARNERS, AUTHORS, REVIEWERS, MANAGERS, ADMINISTRATORS)):
        person = make_user(email=f"roll{number}@example.org")
        person.groups.set([Group.objects.get(name=role)])
        made[role] = person
    direct = make_user(email="direkt@example.org")
    direct.groups.clear()
    direct.user_permissions.add(Permission.objects.get(codename="view_reports"))
    made["direct permission"] = direct
    made["superuser"] = make_user(email="super@example.org", is_superuser=True, is_staff=True)
    inactive = make_user(email="inaktiv@example.org")
    inactive.groups.set([Group.objects.get(name=MANAGERS)])
    inactive.is_active = False
    inactive.save()
    made["inactive manager"] = inactive
    nobody = make_user(email="ingen@example.org")
    nobody.groups.clear()
    made["no group"] = nobody
    return made


def test_the_menu_agrees_with_djangos_permission_check_in_one_query(site, make_user):
    from elearning.accounts.models import User

    answers = {}
    for kind, person in people(make_user).items():
        fresh = User.objects.get(pk=person.pk)  # no permission cache on the instance
        with CaptureQueriesContext(connection) as captured:
            menu = _menu_permissions(fresh)
        assert len(captured) <= 1, kind
        expected = {name: fresh.has_perm(perm) for name, perm in MENU_PERMISSIONS.items()}
        assert menu == expected, kind
        answers[kind] = tuple(menu.values())
    # The kinds do differ: the comparison is not between answers that are all alike.
    assert answers[LEARNERS] == (False, False)
    assert answers[MANAGERS][0] is True and answers["direct permission"][0] is True
    assert answers[AUTHORS][1] is True and answers["superuser"] == (True, True)
    assert answers["inactive manager"] == (False, False)
