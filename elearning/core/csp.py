"""Content-Security-Policy: one strict policy for the site, another for the Wagtail admin.

The public site runs no JavaScript, so its policy (``CONTENT_SECURITY_POLICY``) allows no
script at all. The admin (and Wagtail's previews, which it frames) runs Wagtail's scripts and
needs more (``CONTENT_SECURITY_POLICY_ADMIN``); giving it its own policy keeps the site's
policy from growing to fit the admin."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


def is_admin_path(path: str) -> bool:
    return path.startswith(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's policy for the admin's paths. A view can
    still adjust its own policy with django-csp's decorators."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
