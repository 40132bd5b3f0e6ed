from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "progress"

urlpatterns = [
    path(_("course/<int:page_id>/enrol/"), views.enrol, name="enrol"),
    path(_("course/<int:page_id>/leave/"), views.leave, name="leave"),
    path(_("lesson/<int:page_id>/done/"), views.lesson_done, name="lesson_done"),
]
