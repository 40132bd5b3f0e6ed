from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "accounts"

# The paths are translated: /sv/konto/logga-in/ and /en/account/sign-in/.
urlpatterns = [
    path(_("register/"), views.register, name="register"),
    path(_("sign-in/"), views.SignInView.as_view(), name="login"),
    path(_("sign-out/"), views.SignOutView.as_view(), name="logout"),
    path(_("password/reset/"), views.password_reset, name="password_reset"),
    path(_("password/reset/sent/"), views.password_reset_done, name="password_reset_done"),
    path(
        _("password/reset/<uidb64>/<token>/"),
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(_("password/reset/done/"), views.password_reset_complete, name="password_reset_complete"),
    path(_("my-data/"), views.my_data, name="my_data"),
    path(_("delete/"), views.delete_account, name="delete"),
    path(_("reminders/<str:token>/"), views.reminders_opt_out, name="reminders_opt_out"),
]
