"""The feedback messages in the admin: read, filtered and marked handled; never made there
(``permissions.FeedbackPermissionPolicy``)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import FeedbackMessage


class FeedbackMessageViewSet(ModelViewSet):
    model = FeedbackMessage
    icon = "mail"
    menu_label = _("Accessibility feedback")
    add_to_admin_menu = True
    menu_order = 800
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["__str__", "kind", "page_url", "email", "handled"]
    list_filter = ["kind", "handled", "language"]
    search_fields = ["message", "page_url", "name", "email"]
    form_fields = ["handled"]
    inspect_view_fields = [
        "created_at",
        "kind",
        "message",
        "page_url",
        "name",
        "email",
        "language",
        "admins_notified_at",
        "receipt_sent_at",
        "handled",
    ]
