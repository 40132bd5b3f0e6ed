from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "elearning.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default = True

    def ready(self):
        from elearning.core.services import setup_step_register

        from . import menu, signins, verification
        from .personal_data import personal_data_register

        menu.connect()
        signins.connect()
        verification.connect()

        personal_data_register("profile", export=profile_data)
        setup_step_register("roles", roles_ensure, order=30)
        # Issue 14: accounts unused for RETENTION_INACTIVE_ACCOUNT_DAYS are deleted.
        from elearning.core.retention import retention_register

        from .retention import inactive_accounts_delete, inactive_accounts_describe

        retention_register(
            "inactive-accounts",
            setting="RETENTION_INACTIVE_ACCOUNT_DAYS",
            describe=inactive_accounts_describe,
            apply=inactive_accounts_delete,
            order=10,
        )


def roles_ensure() -> None:
    """The role groups with their permissions and the review workflow on the whole tree."""
    from wagtail.models import Page

    from . import roles

    roles.roles_ensure(content_root=Page.get_first_root_node())


def profile_data(user) -> dict:
    """The account's own details, for the learner's download."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "organisation": str(user.organisation) if user.organisation else None,
        "role_category": user.role_category,
        "reminders_opt_out": user.reminders_opt_out,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the organisation and role fields of our user model."""

    user_viewset = "elearning.accounts.viewsets.UserViewSet"
