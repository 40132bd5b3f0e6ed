"""Admin wiring of certificates: the list, revoke, re-issue and retry."""

from wagtail import hooks


@hooks.register("register_admin_urls")
def register_certificate_urls():
    from django.urls import path

    from . import admin_views

    return [
        path("certificates/", admin_views.certificate_list, name="certificates_admin"),
        path("certificates/<id:pk>/revoke/", admin_views.revoke, name="certificates_admin_revoke"),
        path("certificates/<id:pk>/retry/", admin_views.retry, name="certificates_admin_retry"),
        path(
            "certificates/<id:pk>/reissue/",
            admin_views.reissue,
            name="certificates_admin_reissue",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_certificate_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    from .admin_views import PERMISSION

    class CertificateMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(PERMISSION)

    return CertificateMenuItem(
        _("Certificates"), reverse("certificates_admin"), icon_name="doc-full", order=910
    )


@hooks.register("register_admin_urls")
def register_old_settings_url():
    """The design setting's address named its app, progress, before certificates became an
    app of their own; bookmarks of it still lead there."""
    from django.urls import path
    from django.views.generic import RedirectView

    return [
        path(
            "settings/progress/certificatebranding/",
            RedirectView.as_view(
                pattern_name="wagtailsettings:edit",
                permanent=True,
            ),
            {"app_name": "certificates", "model_name": "certificatebranding"},
        )
    ]
