"""allauth's social-account pages at translated addresses, under allauth's URL names (which
its views reverse); included in i18n_patterns under "account/" without a namespace."""

from allauth.socialaccount import views
from django.urls import path
from django.utils.translation import gettext_lazy as _

urlpatterns = [
    path(
        _("organisation/cancelled/"),
        views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path(_("organisation/error/"), views.login_error, name="socialaccount_login_error"),
    path(_("organisation/register/"), views.signup, name="socialaccount_signup"),
    path(_("organisation/linked/"), views.connections, name="socialaccount_connections"),
]
