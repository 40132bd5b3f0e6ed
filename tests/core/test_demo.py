"""The demo: one account per role, created once however often `make run` loads it."""

import pytest
from django.core.management import CommandError, call_command

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_REPORT_LEARNERS
from elearning.accounts.models import User
from progress.models import Enrolment

pytestmark = pytest.mark.django_db


def test_load_demo_twice_creates_each_account_once(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert User.objects.count() == len(DEMO_ACCOUNTS) + len(DEMO_REPORT_LEARNERS) == 15
    assert Enrolment.objects.count() == 1 + len(DEMO_REPORT_LEARNERS)
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.email, password=DEMO_PASSWORD), account.email
        client.logout()
    manager = User.objects.get(email="samordnare@example.org")
    assert sorted(manager.managed_organisations.values_list("name", flat=True)) == ["Lund", "Malmö"]
    assert list(manager.managed_counties.values_list("name", flat=True)) == ["Skåne län"]
    assert User.objects.get(email="admin@example.org").is_superuser


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to create demo accounts"):
        call_command("load_demo")
    assert not User.objects.exists()
