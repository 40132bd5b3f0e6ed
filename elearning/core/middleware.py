"""Wagtail's redirects, except for "not found" answers that must not cost more than a find."""

from wagtail.contrib.redirects.middleware import RedirectMiddleware as WagtailRedirectMiddleware


class RedirectMiddleware(WagtailRedirectMiddleware):
    """Skips the redirect look-up for a 404 marked ``final_not_found`` (an unknown certificate
    code: its answer must take as long as a known code's, and no redirect ever starts there)."""

    def process_response(self, request, response):
        if getattr(response, "final_not_found", False):
            return response
        return super().process_response(request, response)
