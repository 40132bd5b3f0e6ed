from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "progress"

urlpatterns = [
    path(_("course/<id:page_id>/enrol/"), views.enrol, name="enrol"),
    path(_("course/<id:page_id>/leave/"), views.leave, name="leave"),
    path(_("lesson/<id:page_id>/done/"), views.lesson_done, name="lesson_done"),
]
