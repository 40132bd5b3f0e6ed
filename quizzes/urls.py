from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "quizzes"

urlpatterns = [
    path(_("<id:page_id>/start/"), views.start, name="start"),
    path(_("attempt/<id:attempt_id>/"), views.attempt, name="attempt"),
    path(_("attempt/<id:attempt_id>/result/"), views.result, name="result"),
    path(_("time-accommodations/"), views.accommodations, name="accommodations"),
]
