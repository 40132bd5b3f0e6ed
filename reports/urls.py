from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "reports"

# The benchmark times these pages by name: keep the names.
urlpatterns = [
    path("", views.overview, name="overview"),
    path(_("organisations/"), views.organisations, name="organisations"),
    path(_("roles/"), views.roles, name="roles"),
    path(_("months/"), views.months, name="months"),
    path(_("modules/"), views.modules, name="modules"),
    path(_("learners/"), views.learners, name="learners"),
    path(_("digest/<str:token>/"), views.digest_opt_out, name="digest_opt_out"),
]
