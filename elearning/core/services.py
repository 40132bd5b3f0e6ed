"""Setting up a site: what every installation needs, and the demo on top of it."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Page

from courses.demo import demo_course_load, demo_quizzes_load
from courses.services import page_tree_ensure
from elearning.accounts import roles
from elearning.accounts.models import RoleCategory, User
from elearning.organisations.loading import organisations_load
from elearning.organisations.models import County, Organisation
from progress.services import enrolment_create


@transaction.atomic
def site_setup() -> None:
    """Organisations, page skeleton, role groups and the LRS named in the environment; safe
    to run on every deploy."""
    organisations_load(county_model=County, organisation_model=Organisation)
    page_tree_ensure()
    roles.roles_ensure(content_root=Page.get_first_root_node())
    lrs_from_environment()


def lrs_from_environment() -> None:
    """Keep the LRS of LRS_ENDPOINT/LRS_USERNAME/LRS_PASSWORD as the store named "default"."""
    from progress.models import LearningRecordStore

    if settings.LRS_ENDPOINT:
        LearningRecordStore.objects.update_or_create(
            name="default",
            defaults={
                "endpoint": settings.LRS_ENDPOINT,
                "username": settings.LRS_USERNAME,
                "password": settings.LRS_PASSWORD,
            },
        )


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    description: str


DEMO_PASSWORD = "folkhalsa-demo"
DEMO_ACCOUNTS = [
    DemoAccount("deltagare@example.org", "Lina", "Lärande", roles.LEARNERS, "learner"),
    DemoAccount("forfattare@example.org", "Farid", "Författare", roles.AUTHORS, "author"),
    DemoAccount("granskare@example.org", "Greta", "Granskare", roles.REVIEWERS, "reviewer"),
    DemoAccount("samordnare@example.org", "Sara", "Samordnare", roles.MANAGERS, "manager"),
    DemoAccount(
        "admin@example.org", "Alva", "Administratör", roles.ADMINISTRATORS, "administrator"
    ),
]


@transaction.atomic
def demo_load() -> list[DemoAccount]:
    """The demo course and one account per role (idempotent: what exists is left as it is).

    The learner works in Malmö and is enrolled in the demo course; the manager follows Malmö
    and Lund; the administrator is a superuser.
    """
    site_setup()
    course = demo_course_load()
    demo_quizzes_load(course)
    malmo = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1280")
    lund = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1281")
    region = Organisation.objects.get(kind=Organisation.Kind.REGION, code="12")
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is not None:
            continue
        user = User.objects.create_user(
            account.email,
            DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            organisation=region if account.role == roles.MANAGERS else malmo,
            role_category=RoleCategory.OFFICIAL,
            is_superuser=account.role == roles.ADMINISTRATORS,
            is_staff=account.role == roles.ADMINISTRATORS,
        )
        user.groups.add(Group.objects.get(name=account.role))
        if account.role == roles.MANAGERS:
            user.managed_organisations.add(malmo, lund)
        if account.role == roles.LEARNERS:
            enrolment_create(user=user, course=course)
    return DEMO_ACCOUNTS
