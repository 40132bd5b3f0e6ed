from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "federation"

# /sv/konto/organisation/ and /en/account/organisation/.
urlpatterns = [
    path(_("organisation/"), views.discovery, name="discovery"),
]
