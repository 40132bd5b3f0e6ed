from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "accounts"

# The paths are translated: /sv/konto/mina-uppgifter/ and /en/account/my-data/. Signing in,
# up and out and password resets are allauth's pages (auth_urls.py); the names below that
# point at them ("accounts:login"…) are kept for code and templates written before.
urlpatterns = [
    path(_("sign-in/"), views.login, name="login"),
    path(_("sign-out/"), views.logout, name="logout"),
    path(_("register/"), views.signup, name="register"),
    path(_("password/reset/"), views.password_reset, name="password_reset"),
    path(_("my-data/"), views.my_data, name="my_data"),
    path(_("delete/"), views.delete_account, name="delete"),
    path(_("reminders/<str:token>/"), views.reminders_opt_out, name="reminders_opt_out"),
]
