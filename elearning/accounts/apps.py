from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "elearning.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default = True


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the organisation and role fields of our user model."""

    user_viewset = "elearning.accounts.viewsets.UserViewSet"
