"""What the site's menu shows a signed-in person (reports, authoring), cached per person.

The menu is on every page; asking Django's permission backend costs two queries a page (the
person's own permissions and their groups'). The answer is cached under the person's id and
a permissions version that every change of a person's groups, permissions or superuser and
active flags, of a group's permissions, and of a group or permission itself replaces (again
after the change commits). The views behind the links check the permissions themselves; the
menu only decides which links to show."""

from elearning.core.pagecache import version_bump, version_read, versioned_get, versioned_set

PERMISSIONS_VERSION_KEY = "accounts:permissions-version"
MENU_PERMISSIONS = {"reports": "accounts.view_reports", "authoring": "wagtailadmin.access_admin"}


def permissions_version() -> int:
    return version_read(PERMISSIONS_VERSION_KEY)


def permissions_version_bump(*args, **kwargs) -> None:
    version_bump(PERMISSIONS_VERSION_KEY)


def menu_for(user) -> dict[str, bool]:
    """{"reports": bool, "authoring": bool} for ``user`` (all False when signed out)."""
    if not user.is_authenticated:
        return dict.fromkeys(MENU_PERMISSIONS, False)
    key = f"accounts:menu:{permissions_version()}:{user.pk}"
    menu = versioned_get(key)
    if menu is None:
        menu = _menu_permissions(user)
        versioned_set(key, menu, timeout=24 * 60 * 60)
    return menu


def _menu_permissions(user) -> dict[str, bool]:
    """The menu's permissions in one query: what Django's ModelBackend (the only backend that
    grants permissions here; allauth's defers to it) answers for an active person, from their
    own and their groups' permissions. ``has_perm`` would load every permission the person
    has, in two queries, for the first page of every person after any change of the version
    (issue 17: a webinar's takers). The query is written out (``_sql``): the ORM's took about
    2 ms of CPU to build and compile, on the first page of every taker, against 0.4 ms."""
    from django.db import connection

    if not user.is_active:
        return dict.fromkeys(MENU_PERMISSIONS, False)
    if user.is_superuser:
        return dict.fromkeys(MENU_PERMISSIONS, True)
    params: list = []
    for perm in MENU_PERMISSIONS.values():
        params.extend(perm.split(".", 1))
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [*params, user.pk, user.pk])
        granted = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
    return {name: perm in granted for name, perm in MENU_PERMISSIONS.items()}


_SQL = None


def _sql() -> str:
    """The permissions of MENU_PERMISSIONS that a person has directly or through a group."""
    global _SQL
    if _SQL is None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.contrib.contenttypes.models import ContentType

        user_model = get_user_model()
        own = user_model.user_permissions.through._meta
        groups = user_model.groups.through._meta
        group_permissions = Group.permissions.through._meta
        wanted = " OR ".join(["(ct.app_label = %s AND p.codename = %s)"] * len(MENU_PERMISSIONS))
        _SQL = f"""
            SELECT DISTINCT ct.app_label, p.codename
            FROM {Permission._meta.db_table} p
            JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id
            WHERE ({wanted}) AND (
                p.id IN (
                    SELECT {own.get_field("permission").column} FROM {own.db_table}
                    WHERE {own.get_field("user").column} = %s
                )
                OR p.id IN (
                    SELECT gp.{group_permissions.get_field("permission").column}
                    FROM {group_permissions.db_table} gp
                    JOIN {groups.db_table} ug
                        ON ug.{groups.get_field("group").column}
                        = gp.{group_permissions.get_field("group").column}
                    WHERE ug.{groups.get_field("user").column} = %s
                )
            )
        """
    return _SQL


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # A sign-in saves last_login only; that changes no permission.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    permissions_version_bump()


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            permissions_version_bump, sender=through, dispatch_uid=f"menu_{through.__name__}"
        )
    for model in (Group, Permission, user_model):
        post_delete.connect(
            permissions_version_bump, sender=model, dispatch_uid=f"menu_del_{model.__name__}"
        )
    for model in (Group, Permission):
        post_save.connect(
            permissions_version_bump, sender=model, dispatch_uid=f"menu_save_{model.__name__}"
        )
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="menu_save_user")
