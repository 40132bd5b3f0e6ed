"""The demo: the course, one account per role and learners with progress for the reports.

For development and demonstrations only (``make run``, ``manage.py load_demo``); the platform
never imports this app.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from elearning.accounts import roles
from elearning.accounts.models import RoleCategory, User
from elearning.accounts.verification import user_verified
from elearning.core.services import site_setup
from elearning.organisations.models import Organisation
from progress.models import Enrolment
from progress.services import enrolment_create

from .course import demo_course_load, demo_quizzes_load
from .packages import demo_package_course_load


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

    The learner works in Malmö and is enrolled in the demo course; the manager follows the
    county of Skåne (Malmö and Lund by name too); a few more learners in Skåne and Stockholm
    give the reports something to show; the administrator is a superuser.
    """
    site_setup()
    course = demo_course_load()
    demo_quizzes_load(course)
    package_course = demo_package_course_load()  # issue 18: the sample packages
    malmo = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1280")
    lund = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1281")
    region = Organisation.objects.get(kind=Organisation.Kind.REGION, code="12")
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is not None:
            user_verified(user=user)  # a demo database from before verification (issue 16)
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
            verified_at=timezone.now(),  # demo addresses cannot be confirmed (issue 16)
        )
        user.groups.add(Group.objects.get(name=account.role))
        if account.role == roles.MANAGERS:
            user.managed_organisations.add(malmo, lund)
        if account.role == roles.LEARNERS:
            enrolment_create(user=user, course=course)
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    if not Enrolment.objects.filter(
        user=learner, course_key=package_course.translation_key
    ).exists():  # an older demo database gets the package course too
        enrolment_create(user=learner, course=package_course)
    # The manager coordinates for the region: the whole county of Skåne (adding is idempotent,
    # so an older demo database gets it too).
    manager = User.objects.get(email="samordnare@example.org")
    manager.managed_counties.add(region.county)
    demo_report_learners_load(course)
    return DEMO_ACCOUNTS


# Learners with progress for the manager's reports: (e-mail, first name, last name,
# municipality code, role, lessons done, days since enrolment). All lessons done means the
# course is completed, with a passed final test.
DEMO_REPORT_LEARNERS = [
    ("anna.lind@example.org", "Anna", "Lind", "1280", RoleCategory.ELECTED, 99, 80),
    ("bo.ek@example.org", "Bo", "Ek", "1280", RoleCategory.OFFICIAL, 99, 50),
    ("cecilia.ask@example.org", "Cecilia", "Ask", "1280", RoleCategory.MANAGER, 6, 35),
    ("david.alm@example.org", "David", "Alm", "1281", RoleCategory.OFFICIAL, 99, 95),
    ("eva.lonn@example.org", "Eva", "Lönn", "1281", RoleCategory.ELECTED, 2, 20),
    ("filip.gran@example.org", "Filip", "Gran", "1283", RoleCategory.OFFICIAL, 99, 40),
    ("gun.hassel@example.org", "Gun", "Hassel", "1283", RoleCategory.OTHER, 0, 10),
    ("hugo.pil@example.org", "Hugo", "Pil", "1286", RoleCategory.OFFICIAL, 9, 60),
    ("ida.rönn@example.org", "Ida", "Rönn", "1290", RoleCategory.ELECTED, 99, 120),
    ("jon.tall@example.org", "Jon", "Tall", "0180", RoleCategory.OFFICIAL, 99, 30),
]


def demo_report_learners_load(course) -> None:
    """Enrol the report demo learners with progress written as rows (no e-mails, no
    statements): only learners who do not exist yet, so loading twice adds nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.selectors import course_outline
    from progress.models import Enrolment, LessonProgress, ModuleCompletion
    from quizzes.models import Attempt

    existing = set(
        User.objects.filter(email__in=[row[0] for row in DEMO_REPORT_LEARNERS]).values_list(
            "email", flat=True
        )
    )
    # Demo learners from before verification count in the reports too (issue 16).
    User.objects.filter(email__in=existing, verified_at__isnull=True).update(
        verified_at=timezone.now()
    )
    rows = [row for row in DEMO_REPORT_LEARNERS if row[0] not in existing]
    if not rows:
        return
    outline = course_outline(course=course)
    places = {
        o.code: o
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, code__in={row[3] for row in rows}
        )
    }
    learners = Group.objects.get(name=roles.LEARNERS)
    now = timezone.now()
    for number, (email, first, last, code, role, done, days) in enumerate(rows):
        user = User.objects.create_user(
            email, None, first_name=first, last_name=last, organisation=places[code],
            role_category=role, verified_at=now,
        )  # fmt: skip
        user.groups.add(learners)
        enrolled_at = now - timedelta(days=days)
        lessons = outline.lessons[:done]
        complete = len(lessons) == len(outline.lessons)
        finished_at = enrolled_at + timedelta(days=3 + number * 2)
        enrolment = Enrolment.objects.create(
            user=user, course_key=course.translation_key, course=course,
            organisation=places[code], role_category=role, enrolled_at=enrolled_at,
            completed_at=finished_at if complete else None,
            last_activity_at=finished_at if lessons else enrolled_at,
        )  # fmt: skip
        LessonProgress.objects.bulk_create(
            LessonProgress(
                enrolment=enrolment,
                lesson_key=lesson.key,
                lesson_id=lesson.id,
                first_viewed_at=enrolled_at,
                last_seen_at=finished_at,
                completed_at=finished_at,
                time_spent_seconds=lesson.minutes * 60,
            )  # fmt: skip
            for lesson in lessons
        )
        done_keys = {lesson.key for lesson in lessons}
        ModuleCompletion.objects.bulk_create(
            ModuleCompletion(
                enrolment=enrolment,
                module_key=module.key,
                module_id=module.id,
                completed_at=finished_at,
            )  # fmt: skip
            for module in outline.modules
            if all(lesson.key in done_keys for lesson in module.lessons)
        )
        if complete and outline.final_tests:
            final = outline.final_tests[0]
            Attempt.objects.create(
                enrolment=enrolment, placement_key=final.key, placement_id=final.id, number=1,
                started_at=finished_at, submitted_at=finished_at, questions=[], pass_mark=70,
                review_policy="after_each", score=8 + number % 3, max_score=10,
                percent=80 + 10 * (number % 3), passed=True,
            )  # fmt: skip
