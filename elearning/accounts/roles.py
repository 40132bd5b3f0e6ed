"""The four roles, as Django groups with permissions, created by ``manage.py setup_site``."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

LEARNERS = "Deltagare"
AUTHORS = "Kursförfattare"
REVIEWERS = "Granskare"
MANAGERS = "Uppföljare"
ADMINISTRATORS = "Administratörer"
REVIEW_WORKFLOW = "Granskning av kursinnehåll"

# Authors write quizzes and read their item statistics.
QUIZ_PERMISSIONS = [
    ("quizzes", "add_quiz"),
    ("quizzes", "change_quiz"),
    ("quizzes", "delete_quiz"),
    ("quizzes", "view_quiz"),
]

# (app_label, codename) of the model permissions each role has.
MODEL_PERMISSIONS = {
    LEARNERS: [],
    # Authors and reviewers copy pages into the other language ("Translate" in the admin).
    AUTHORS: [
        ("wagtailadmin", "access_admin"),
        ("simple_translation", "submit_translation"),
        *QUIZ_PERMISSIONS,
    ],
    REVIEWERS: [
        ("wagtailadmin", "access_admin"),
        ("simple_translation", "submit_translation"),
        *QUIZ_PERMISSIONS,
    ],
    MANAGERS: [("accounts", "view_reports")],
    ADMINISTRATORS: [
        ("wagtailadmin", "access_admin"),
        ("simple_translation", "submit_translation"),
        ("accounts", "view_reports"),
        ("accounts", "add_user"),
        ("accounts", "change_user"),
        ("accounts", "view_user"),
        ("organisations", "view_organisation"),
        ("organisations", "change_organisation"),
        ("auth", "view_group"),
        ("progress", "add_enrolment"),
        ("xapi", "change_learningrecordstore"),
        *QUIZ_PERMISSIONS,
        ("progress", "view_enrolment"),
        # The sign-in log (issue 16).
        ("accounts", "view_signinevent"),
    ],
}
# Authors write pages and upload media; they cannot publish, so every change goes through the
# review workflow, in which reviewers (or administrators) approve and publish.
AUTHOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
PUBLISHER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
MEDIA_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_ensure(*, content_root: Page) -> dict[str, Group]:
    """Create the role groups and grant their permissions (adds, never removes)."""
    groups = {}
    for name, permissions in MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*(_permission(app, code) for app, code in permissions))
        groups[name] = group

    page_roles = (
        (AUTHORS, AUTHOR_PAGE_PERMISSIONS),
        (REVIEWERS, PUBLISHER_PAGE_PERMISSIONS),
        (ADMINISTRATORS, PUBLISHER_PAGE_PERMISSIONS),
    )
    for name, codenames in page_roles:
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[name],
                page=content_root,
                permission=_permission("wagtailcore", codename),
            )
        # Transactional tests flush the table that Wagtail's migration filled.
        root_collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
        for app, codename in MEDIA_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=groups[name],
                collection=root_collection,
                permission=_permission(app, codename),
            )
    review_workflow_ensure(
        content_root=content_root, approvers=[groups[REVIEWERS], groups[ADMINISTRATORS]]
    )
    return groups


def review_workflow_ensure(*, content_root: Page, approvers: list[Group]) -> Workflow:
    """One approval step by reviewers, for every page under ``content_root``."""
    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name="Granskare godkänner").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Granskare godkänner")
    task.groups.add(*approvers)
    # (WorkflowTask directly: the workflow's related manager defers writes until a save.)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=content_root, defaults={"workflow": workflow})
    return workflow


# Everyone who sees other people's data or writes content: they need a second factor.
STAFF_ROLES = (AUTHORS, REVIEWERS, MANAGERS, ADMINISTRATORS)


def has_staff_role(user) -> bool:
    """Whether the user is an author, reviewer, manager or administrator (or a superuser)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    cached = getattr(user, "_has_staff_role", None)
    if cached is None:
        cached = user.groups.filter(name__in=STAFF_ROLES).exists()
        user._has_staff_role = cached
    return cached
