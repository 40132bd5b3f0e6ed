"""Fixtures of the report tests: organisations, a course, a bulk data builder, managers."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from elearning.accounts import roles
from elearning.accounts.models import User
from elearning.organisations.models import County, Organisation
from tests.reports.builders import Builder, fast_course

PASSWORD = "a-long-test-password"


@pytest.fixture
def orgs(site):
    """Malmö and Lund (Skåne), Ystad (Skåne), Stockholm (another county)."""
    get = Organisation.objects.get
    return {
        "malmo": get(kind="municipality", code="1280"),
        "lund": get(kind="municipality", code="1281"),
        "ystad": get(kind="municipality", code="1286"),
        "stockholm": get(kind="municipality", code="0180"),
        "skane": County.objects.get(code="12"),
    }


@pytest.fixture
def course(site):
    """(course, lessons, modules, final test page)."""
    return fast_course()


@pytest.fixture
def build(course):
    return Builder(course)


@pytest.fixture
def manager(site):
    """``manager(email, organisations=[...], counties=[...], national=False)``: a user in the
    managers' group with that scope (works at Region Skåne)."""

    def make(email, *, organisations=(), counties=(), national=False, **extra):
        return managers_make(organisations, counties, national, email=email, **extra)

    return make


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, rolled back at its end: data built once
    (the site skeleton alone takes seconds) and shared by the module's tests, each of which
    still runs in its own savepoint (the ``db`` fixture) and leaves nothing behind."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            from elearning.core.services import site_setup

            site_setup()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def managers_make(organisations=(), counties=(), national=False, *, email, **extra):
    """A user in the managers' group with that scope (works at Region Skåne)."""
    group = Group.objects.get(name=roles.MANAGERS)
    user = User.objects.create_user(
        email,
        PASSWORD,
        first_name="Mia",
        last_name="Manager",
        organisation=Organisation.objects.get(kind="region", code="12"),
        manages_nationally=national,
        **{"verified_at": timezone.now(), **extra},
    )
    user.groups.add(group)
    user.managed_organisations.add(*organisations)
    user.managed_counties.add(*counties)
    return user
