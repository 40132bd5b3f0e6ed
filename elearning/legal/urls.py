from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "legal"

# /sv/tillganglighet/synpunkter/ and /en/accessibility/feedback/
urlpatterns = [
    path(_("feedback/"), views.feedback, name="feedback"),
    path(_("feedback/sent/"), views.feedback_sent, name="feedback_sent"),
]
