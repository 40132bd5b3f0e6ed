"""Admin wiring of the xAPI app: delivery health, retry, and the LRS configuration."""

from wagtail import hooks


@hooks.register("register_admin_urls")
def register_xapi_urls():
    from django.urls import path

    from .admin_views import health, retry_failed

    return [
        path("xapi/", health, name="xapi_health"),
        path("xapi/<id:lrs_id>/retry/", retry_failed, name="xapi_retry_failed"),
    ]


@hooks.register("register_settings_menu_item")
def register_xapi_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    class XapiMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("xapi.change_learningrecordstore")

    return XapiMenuItem(_("xAPI delivery"), reverse("xapi_health"), icon_name="cogs", order=900)


@hooks.register("register_admin_viewset")
def register_lrs_viewset():
    from .viewsets import LearningRecordStoreViewSet

    return LearningRecordStoreViewSet("learning_record_stores")
