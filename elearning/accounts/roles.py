"""The four roles, as Django groups with permissions, created by ``manage.py setup_site``."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

LEARNERS = "Deltagare"
AUTHORS = "Kursförfattare"
MANAGERS = "Uppföljare"
ADMINISTRATORS = "Administratörer"

# (app_label, codename) of the model permissions each role has.
MODEL_PERMISSIONS = {
    LEARNERS: [],
    AUTHORS: [("wagtailadmin", "access_admin")],
    MANAGERS: [("accounts", "view_reports")],
    ADMINISTRATORS: [
        ("wagtailadmin", "access_admin"),
        ("accounts", "view_reports"),
        ("accounts", "add_user"),
        ("accounts", "change_user"),
        ("accounts", "view_user"),
        ("organisations", "view_organisation"),
        ("organisations", "change_organisation"),
        ("auth", "view_group"),
    ],
}
# Authors write pages and upload media; publishing goes through the review workflow, which
# administrators (and reviewers, with the authoring issue) approve.
AUTHOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
ADMIN_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
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

    for name, codenames in (
        (AUTHORS, AUTHOR_PAGE_PERMISSIONS),
        (ADMINISTRATORS, ADMIN_PAGE_PERMISSIONS),
    ):
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
    return groups
